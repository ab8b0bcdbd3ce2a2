//! The open-files limit. A server holding thousands of connections needs more file
//! descriptors than the usual soft limit (often 1,024); any process may raise its soft
//! limit up to the hard limit without privileges.

/// The soft limit before and after [`raise_limit`] raised it (`None`: unlimited).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Raised {
    /// The soft limit before.
    pub from: u64,
    /// The soft limit now.
    pub to: Option<u64>,
}

/// Raises the soft RLIMIT_NOFILE to the hard limit when it is lower; `None` when it
/// already was as high (or the platform has no such limit).
#[cfg(unix)]
pub fn raise_limit() -> std::io::Result<Option<Raised>> {
    use rustix::process::{getrlimit, setrlimit, Resource, Rlimit};
    let limit = getrlimit(Resource::Nofile);
    let Some(from) = limit.current else {
        return Ok(None);
    };
    if limit.maximum.is_some_and(|hard| hard <= from) {
        return Ok(None);
    }
    setrlimit(
        Resource::Nofile,
        Rlimit {
            current: limit.maximum,
            maximum: limit.maximum,
        },
    )?;
    Ok(Some(Raised {
        from,
        to: limit.maximum,
    }))
}

/// Raises the soft RLIMIT_NOFILE to the hard limit (nothing to do on this platform).
#[cfg(not(unix))]
pub fn raise_limit() -> std::io::Result<Option<Raised>> {
    Ok(None)
}
