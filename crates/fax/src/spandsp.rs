//! SpanDSP, loaded at run time: the only file of the crate with `unsafe` code.
//!
//! `libspandsp.so.2` (Debian's `libspandsp2`, SpanDSP 0.0.6) is opened once with
//! `dlopen`, and the few functions we call are resolved into [`Api`], a struct of function
//! pointers kept in a `OnceLock` for the life of the process (the library is never
//! unloaded, so the pointers stay valid). The signatures and constants below are those of
//! the 0.0.6 headers in `/usr/include/spandsp/` (`t30.h`, `t30_api.h`, `t30_logging.h`,
//! `fax.h`, `t38_terminal.h`, `t38_core.h`, `logging.h`).
//!
//! SpanDSP allocates its own states (`*_init` with NULL) and frees them (`*_free`); we
//! never need the layout of a state. Its callbacks (phase D, phase E, T.38 packets to
//! send) get a pointer to a boxed [`Callbacks`] whose address never changes; only shared
//! references to it are ever made, and its fields are cells, so a callback that runs while
//! a method of ours is inside SpanDSP aliases nothing mutably.

use std::cell::{Cell, OnceCell, RefCell};
use std::collections::VecDeque;
use std::ffi::{c_char, c_int, c_void, CStr};
use std::marker::{PhantomData, PhantomPinned};
use std::ptr::{self, NonNull};
use std::sync::OnceLock;

use libloading::Library;

use crate::{FaxError, Outcome};

/// The shared object of Debian's `libspandsp2` (the ABI of SpanDSP 0.0.6).
const LIBRARY: &str = "libspandsp.so.2";

// t30.h, enum T30_ERR_*: `T30_ERR_OK = 0`.
const T30_ERR_OK: c_int = 0;
// t30.h: T30_SUPPORT_V27TER = 0x01, T30_SUPPORT_V29 = 0x02, T30_SUPPORT_V17 = 0x04.
const MODEMS: c_int = 0x01 | 0x02 | 0x04;
// t30.h: T30_SUPPORT_T4_1D_COMPRESSION = 0x02, T30_SUPPORT_T4_2D_COMPRESSION = 0x04,
// T30_SUPPORT_T6_COMPRESSION = 0x08 (T.6 needs ECM, which we offer).
const COMPRESSIONS: c_int = 0x02 | 0x04 | 0x08;
// logging.h: SPAN_LOG_NONE = 0; for debugging SPAN_LOG_FLOW = 5 with
// SPAN_LOG_SHOW_SEVERITY = 0x0400 and SPAN_LOG_SHOW_PROTOCOL = 0x0800.
const LOG_NONE: c_int = 0;
const LOG_DEBUG: c_int = 0x0400 | 0x0800 | 5;
/// At most this many samples per call into SpanDSP (its lengths are `int`), which also
/// bounds the scratch buffer of [`Audio::hear`].
const CHUNK: usize = 8_000;
/// T.38 time is handed to SpanDSP in steps of at most 10 ms: `t38_terminal_send_timeout`
/// sends at most one paced chunk per call, so one big step would delay the rest.
const T38_STEP: usize = 80;
/// IFP packets SpanDSP may queue before the shell polls them; beyond this the oldest go
/// (a shell that stopped polling must not grow memory without end).
const MAX_QUEUED_IFP: usize = 4_096;

// Opaque SpanDSP states, only ever behind pointers (the nomicon's pattern for opaque
// structs: not constructible, neither Send nor Sync nor Unpin).
macro_rules! opaque {
    ($($name:ident),*) => {$(
        #[repr(C)]
        struct $name {
            _data: [u8; 0],
            _marker: PhantomData<(*mut u8, PhantomPinned)>,
        }
    )*};
}
opaque!(
    FaxState,
    T30State,
    T38TerminalState,
    T38CoreState,
    LoggingState
);

/// The head of `t30_stats_t` (t30.h): fifteen `int`s, of which we read the page counts.
/// The reserve is far larger than the rest of the struct, so a library with a longer one
/// cannot write past our value.
#[repr(C)]
struct T30Stats {
    bit_rate: c_int,
    error_correcting_mode: c_int,
    pages_tx: c_int,
    pages_rx: c_int,
    reserve: [c_int; 64],
}

type PhaseDHandler = unsafe extern "C" fn(*mut T30State, *mut c_void, c_int) -> c_int;
type PhaseEHandler = unsafe extern "C" fn(*mut T30State, *mut c_void, c_int);
type T38TxPacketHandler =
    unsafe extern "C" fn(*mut T38CoreState, *mut c_void, *const u8, c_int, c_int) -> c_int;
type MessageHandler = unsafe extern "C" fn(c_int, *const c_char);

/// The functions of SpanDSP we call, resolved once.
struct Api {
    fax_init: unsafe extern "C" fn(*mut FaxState, c_int) -> *mut FaxState,
    fax_free: unsafe extern "C" fn(*mut FaxState) -> c_int,
    fax_rx: unsafe extern "C" fn(*mut FaxState, *mut i16, c_int) -> c_int,
    fax_tx: unsafe extern "C" fn(*mut FaxState, *mut i16, c_int) -> c_int,
    fax_set_transmit_on_idle: unsafe extern "C" fn(*mut FaxState, c_int),
    fax_get_t30_state: unsafe extern "C" fn(*mut FaxState) -> *mut T30State,
    fax_get_logging_state: unsafe extern "C" fn(*mut FaxState) -> *mut LoggingState,
    t38_terminal_init: unsafe extern "C" fn(
        *mut T38TerminalState,
        c_int,
        Option<T38TxPacketHandler>,
        *mut c_void,
    ) -> *mut T38TerminalState,
    t38_terminal_free: unsafe extern "C" fn(*mut T38TerminalState) -> c_int,
    t38_terminal_send_timeout: unsafe extern "C" fn(*mut T38TerminalState, c_int) -> c_int,
    t38_terminal_get_t30_state: unsafe extern "C" fn(*mut T38TerminalState) -> *mut T30State,
    t38_terminal_get_t38_core_state:
        unsafe extern "C" fn(*mut T38TerminalState) -> *mut T38CoreState,
    t38_terminal_get_logging_state:
        unsafe extern "C" fn(*mut T38TerminalState) -> *mut LoggingState,
    t38_core_get_logging_state: unsafe extern "C" fn(*mut T38CoreState) -> *mut LoggingState,
    t38_core_rx_ifp_packet: unsafe extern "C" fn(*mut T38CoreState, *const u8, c_int, u16) -> c_int,
    t30_set_tx_ident: unsafe extern "C" fn(*mut T30State, *const c_char) -> c_int,
    t30_get_rx_ident: unsafe extern "C" fn(*mut T30State) -> *const c_char,
    t30_set_supported_modems: unsafe extern "C" fn(*mut T30State, c_int) -> c_int,
    t30_set_supported_compressions: unsafe extern "C" fn(*mut T30State, c_int) -> c_int,
    t30_set_ecm_capability: unsafe extern "C" fn(*mut T30State, c_int) -> c_int,
    t30_set_rx_file: unsafe extern "C" fn(*mut T30State, *const c_char, c_int),
    t30_set_tx_file: unsafe extern "C" fn(*mut T30State, *const c_char, c_int, c_int),
    t30_set_phase_d_handler:
        unsafe extern "C" fn(*mut T30State, Option<PhaseDHandler>, *mut c_void),
    t30_set_phase_e_handler:
        unsafe extern "C" fn(*mut T30State, Option<PhaseEHandler>, *mut c_void),
    t30_get_transfer_statistics: unsafe extern "C" fn(*mut T30State, *mut T30Stats),
    t30_completion_code_to_str: unsafe extern "C" fn(c_int) -> *const c_char,
    t30_terminate: unsafe extern "C" fn(*mut T30State),
    t30_get_logging_state: unsafe extern "C" fn(*mut T30State) -> *mut LoggingState,
    span_log_set_level: unsafe extern "C" fn(*mut LoggingState, c_int) -> c_int,
    span_log_set_message_handler: unsafe extern "C" fn(*mut LoggingState, Option<MessageHandler>),
    /// Keeps the library mapped; it lives in a `static`, so it is never unloaded.
    _library: Library,
}

static SPANDSP: OnceLock<Result<Api, String>> = OnceLock::new();

/// SpanDSP's functions, loading the library on the first call. A failure is remembered:
/// installing `libspandsp2` later needs a restart.
fn api() -> Result<&'static Api, FaxError> {
    SPANDSP
        .get_or_init(|| load(LIBRARY))
        .as_ref()
        .map_err(|why| FaxError::Unavailable(why.clone()))
}

/// Whether SpanDSP can be loaded.
pub(crate) fn available() -> Result<(), FaxError> {
    api().map(|_| ())
}

fn load(name: &str) -> Result<Api, String> {
    // SAFETY: loading runs the library's initialisers; libspandsp2 has none beyond the C
    // runtime's and libtiff's, which are safe to run at any time in any thread.
    let library = unsafe { Library::new(name) }
        .map_err(|e| format!("libspandsp2 ist nicht installiert ({e})"))?;
    // SAFETY: each symbol is looked up by its name in SpanDSP 0.0.6 and given the type its
    // header declares (see the field types of Api); the library outlives the pointers
    // because it is stored in the same Api, which lives in a static.
    unsafe {
        Ok(Api {
            fax_init: symbol(&library, "fax_init")?,
            fax_free: symbol(&library, "fax_free")?,
            fax_rx: symbol(&library, "fax_rx")?,
            fax_tx: symbol(&library, "fax_tx")?,
            fax_set_transmit_on_idle: symbol(&library, "fax_set_transmit_on_idle")?,
            fax_get_t30_state: symbol(&library, "fax_get_t30_state")?,
            fax_get_logging_state: symbol(&library, "fax_get_logging_state")?,
            t38_terminal_init: symbol(&library, "t38_terminal_init")?,
            t38_terminal_free: symbol(&library, "t38_terminal_free")?,
            t38_terminal_send_timeout: symbol(&library, "t38_terminal_send_timeout")?,
            t38_terminal_get_t30_state: symbol(&library, "t38_terminal_get_t30_state")?,
            t38_terminal_get_t38_core_state: symbol(&library, "t38_terminal_get_t38_core_state")?,
            t38_terminal_get_logging_state: symbol(&library, "t38_terminal_get_logging_state")?,
            t38_core_get_logging_state: symbol(&library, "t38_core_get_logging_state")?,
            t38_core_rx_ifp_packet: symbol(&library, "t38_core_rx_ifp_packet")?,
            t30_set_tx_ident: symbol(&library, "t30_set_tx_ident")?,
            t30_get_rx_ident: symbol(&library, "t30_get_rx_ident")?,
            t30_set_supported_modems: symbol(&library, "t30_set_supported_modems")?,
            t30_set_supported_compressions: symbol(&library, "t30_set_supported_compressions")?,
            t30_set_ecm_capability: symbol(&library, "t30_set_ecm_capability")?,
            t30_set_rx_file: symbol(&library, "t30_set_rx_file")?,
            t30_set_tx_file: symbol(&library, "t30_set_tx_file")?,
            t30_set_phase_d_handler: symbol(&library, "t30_set_phase_d_handler")?,
            t30_set_phase_e_handler: symbol(&library, "t30_set_phase_e_handler")?,
            t30_get_transfer_statistics: symbol(&library, "t30_get_transfer_statistics")?,
            t30_completion_code_to_str: symbol(&library, "t30_completion_code_to_str")?,
            t30_terminate: symbol(&library, "t30_terminate")?,
            t30_get_logging_state: symbol(&library, "t30_get_logging_state")?,
            span_log_set_level: symbol(&library, "span_log_set_level")?,
            span_log_set_message_handler: symbol(&library, "span_log_set_message_handler")?,
            _library: library,
        })
    }
}

/// # Safety
/// `T` must be the function pointer type of the C declaration of `name`.
unsafe fn symbol<T: Copy>(library: &Library, name: &str) -> Result<T, String> {
    // SAFETY: passed on to the caller (see above).
    unsafe { library.get::<T>(name) }
        .map(|symbol| *symbol)
        .map_err(|e| format!("libspandsp2 ohne {name} ({e})"))
}

/// What a session needs from SpanDSP, already checked by the safe caller.
pub(crate) struct Setup<'a> {
    /// Sending `file` (a TIFF to read) or receiving into it.
    pub sending: bool,
    /// NUL-terminated path, shorter than SpanDSP's 256-byte file name buffer.
    pub file: &'a CStr,
    pub calling: bool,
    /// At most 20 characters (T30_MAX_IDENT_LEN), checked by the caller.
    pub ident: &'a CStr,
    /// SpanDSP's protocol log to `tracing` at debug level.
    pub debug: bool,
}

/// What SpanDSP's callbacks tell us; boxed so its address is stable while SpanDSP holds it.
struct Callbacks {
    api: &'static Api,
    sending: bool,
    pages: Cell<u32>,
    outcome: OnceCell<Outcome>,
    ifp: RefCell<VecDeque<Vec<u8>>>,
}

impl Callbacks {
    /// Pages sent or received so far: SpanDSP's own count of pages the far end confirmed
    /// (sending) or we accepted (receiving). Phase D also runs for rejected pages and
    /// repeated post-page commands, so counting its calls would count too many.
    fn pages(&self, t30: *mut T30State) -> u32 {
        let mut stats = T30Stats {
            bit_rate: 0,
            error_correcting_mode: 0,
            pages_tx: 0,
            pages_rx: 0,
            reserve: [0; 64],
        };
        // SAFETY: t30 is the live state SpanDSP passed to the callback; stats is larger
        // than t30_stats_t and writable.
        unsafe { (self.api.t30_get_transfer_statistics)(t30, &mut stats) };
        let pages = if self.sending {
            stats.pages_tx
        } else {
            stats.pages_rx
        };
        u32::try_from(pages).unwrap_or(0)
    }
}

/// Phase D: a page has been through its post-page exchange.
unsafe extern "C" fn on_phase_d(t30: *mut T30State, user_data: *mut c_void, _fcf: c_int) -> c_int {
    // SAFETY: user_data is the Callbacks pointer given with this handler; the box is
    // freed only after the SpanDSP state that calls us (Core::drop after Audio/T38::drop).
    let callbacks = unsafe { &*(user_data as *const Callbacks) };
    callbacks.pages.set(callbacks.pages(t30));
    T30_ERR_OK
}

/// Phase E: the call is over, with SpanDSP's completion code.
unsafe extern "C" fn on_phase_e(t30: *mut T30State, user_data: *mut c_void, code: c_int) {
    // SAFETY: as in on_phase_d.
    let callbacks = unsafe { &*(user_data as *const Callbacks) };
    let pages = callbacks.pages(t30);
    callbacks.pages.set(pages);
    // SAFETY: both return pointers to NUL-terminated strings owned by SpanDSP (a static
    // table, the state's ident buffer), valid during this callback; copied at once.
    let (reason, remote) = unsafe {
        (
            text((callbacks.api.t30_completion_code_to_str)(code)),
            text((callbacks.api.t30_get_rx_ident)(t30)),
        )
    };
    // A second phase E (none expected) does not replace the first outcome.
    let _ = callbacks.outcome.set(Outcome {
        success: code == T30_ERR_OK,
        pages,
        remote_ident: remote.trim().to_owned(),
        reason,
        code,
    });
}

/// A T.38 IFP packet SpanDSP wants sent. `count` (how often to repeat it) is not
/// followed: UDPTL's redundancy carries each packet in the next datagrams instead, and a
/// repeat with a new sequence number would be a new packet to the far end.
unsafe extern "C" fn on_t38_packet(
    _core: *mut T38CoreState,
    user_data: *mut c_void,
    buf: *const u8,
    len: c_int,
    _count: c_int,
) -> c_int {
    // SAFETY: as in on_phase_d.
    let callbacks = unsafe { &*(user_data as *const Callbacks) };
    let Ok(len) = usize::try_from(len) else {
        return 0;
    };
    if buf.is_null() || len == 0 {
        return 0;
    }
    // SAFETY: SpanDSP passes a buffer of len readable bytes, valid during the call.
    let packet = unsafe { std::slice::from_raw_parts(buf, len) }.to_vec();
    let mut queue = callbacks.ifp.borrow_mut();
    if queue.len() == MAX_QUEUED_IFP {
        queue.pop_front();
    }
    queue.push_back(packet);
    0
}

/// SpanDSP's log lines (only with `DURCHWAHL_FAX_DEBUG`).
unsafe extern "C" fn on_log(level: c_int, line: *const c_char) {
    // SAFETY: SpanDSP passes a NUL-terminated line valid during the call (or NULL).
    let line = unsafe { text(line) };
    tracing::debug!(target: "fax::spandsp", level, "{}", line.trim_end());
}

/// # Safety
/// `p` is NULL or points to a NUL-terminated string valid for the call.
unsafe fn text(p: *const c_char) -> String {
    if p.is_null() {
        return String::new();
    }
    // SAFETY: passed on to the caller.
    unsafe { CStr::from_ptr(p) }.to_string_lossy().into_owned()
}

/// What both kinds of session share: the T.30 engine and the callback box.
struct Core {
    api: &'static Api,
    t30: NonNull<T30State>,
    callbacks: NonNull<Callbacks>,
}

impl Core {
    fn callbacks(&self) -> &Callbacks {
        // SAFETY: the pointer comes from Box::leak in new_callbacks and is freed only in
        // Core::drop; only shared references to it are made anywhere.
        unsafe { self.callbacks.as_ref() }
    }

    /// Our parameters into the T.30 engine of a state just made.
    fn configure(&self, setup: &Setup<'_>, logs: &[*mut LoggingState]) -> Result<(), FaxError> {
        let api = self.api;
        let t30 = self.t30.as_ptr();
        let user_data = self.callbacks.as_ptr().cast::<c_void>();
        // SAFETY: t30 is the live T.30 state of the session; the strings are NUL-terminated
        // and copied by SpanDSP (strcpy/strncpy into its own buffers, t30_api.c); the
        // handlers match t30.h's typedefs and user_data outlives the state (see on_phase_d).
        unsafe {
            if (api.t30_set_tx_ident)(t30, setup.ident.as_ptr()) != 0 {
                return Err(FaxError::Init("Kennung zu lang".into()));
            }
            (api.t30_set_supported_modems)(t30, MODEMS);
            (api.t30_set_supported_compressions)(t30, COMPRESSIONS);
            (api.t30_set_ecm_capability)(t30, 1);
            if setup.sending {
                (api.t30_set_tx_file)(t30, setup.file.as_ptr(), -1, -1);
            } else {
                (api.t30_set_rx_file)(t30, setup.file.as_ptr(), -1);
            }
            (api.t30_set_phase_d_handler)(t30, Some(on_phase_d), user_data);
            (api.t30_set_phase_e_handler)(t30, Some(on_phase_e), user_data);
        }
        let t30_log = {
            // SAFETY: as above.
            unsafe { (api.t30_get_logging_state)(t30) }
        };
        for &log in std::iter::once(&t30_log).chain(logs) {
            if log.is_null() {
                continue;
            }
            // SAFETY: log is a logging state inside the session's live SpanDSP state;
            // on_log matches logging.h's message_handler_func_t.
            unsafe {
                if setup.debug {
                    (api.span_log_set_message_handler)(log, Some(on_log));
                    (api.span_log_set_level)(log, LOG_DEBUG);
                } else {
                    (api.span_log_set_level)(log, LOG_NONE);
                }
            }
        }
        Ok(())
    }

    fn hang_up(&mut self) {
        // After phase E, t30_terminate would report the call a second time.
        if self.callbacks().outcome.get().is_none() {
            // SAFETY: t30 is the live T.30 state; it runs phase E before returning.
            unsafe { (self.api.t30_terminate)(self.t30.as_ptr()) };
        }
    }
}

impl Drop for Core {
    fn drop(&mut self) {
        // SAFETY: made by Box::leak in new_callbacks; the SpanDSP state that held the
        // pointer was freed before (the owner's Drop runs before its fields').
        drop(unsafe { Box::from_raw(self.callbacks.as_ptr()) });
    }
}

fn new_callbacks(api: &'static Api, sending: bool) -> NonNull<Callbacks> {
    let callbacks = Box::new(Callbacks {
        api,
        sending,
        pages: Cell::new(0),
        outcome: OnceCell::new(),
        ifp: RefCell::new(VecDeque::new()),
    });
    NonNull::from(Box::leak(callbacks))
}

/// Frees a callback box that no Core took over.
fn free_callbacks(callbacks: NonNull<Callbacks>) {
    // SAFETY: made by Box::leak in new_callbacks and handed to no SpanDSP state.
    drop(unsafe { Box::from_raw(callbacks.as_ptr()) });
}

/// A T.30 session over audio: SpanDSP's `fax_state_t` (modems and T.30).
pub(crate) struct Audio {
    state: NonNull<FaxState>,
    scratch: Vec<i16>,
    core: Core,
}

// SAFETY: an Audio owns its SpanDSP state and callback box exclusively (no copies of the
// pointers leave this file), SpanDSP keeps no thread-bound state for them, and every use
// needs &mut self or &self of the one owner; so moving it to another thread is sound. It
// is not Sync (the callback box has cells).
unsafe impl Send for Audio {}

impl Audio {
    pub(crate) fn new(setup: &Setup<'_>) -> Result<Audio, FaxError> {
        let api = api()?;
        let callbacks = new_callbacks(api, setup.sending);
        // SAFETY: NULL asks fax_init to allocate the state (fax.h); the result is checked.
        let state = unsafe { (api.fax_init)(ptr::null_mut(), c_int::from(setup.calling)) };
        let Some(state) = NonNull::new(state) else {
            free_callbacks(callbacks);
            return Err(FaxError::Init("fax_init ist fehlgeschlagen".into()));
        };
        // SAFETY: state is live; its T.30 state and logging state live as long as it.
        let (t30, log) = unsafe {
            (
                (api.fax_get_t30_state)(state.as_ptr()),
                (api.fax_get_logging_state)(state.as_ptr()),
            )
        };
        let Some(t30) = NonNull::new(t30) else {
            // SAFETY: state came from fax_init and is freed once, here.
            unsafe { (api.fax_free)(state.as_ptr()) };
            free_callbacks(callbacks);
            return Err(FaxError::Init(
                "fax_get_t30_state ist fehlgeschlagen".into(),
            ));
        };
        let audio = Audio {
            state,
            scratch: Vec::new(),
            core: Core {
                api,
                t30,
                callbacks,
            },
        };
        audio.core.configure(setup, &[log])?;
        // SAFETY: state is live. Silence while SpanDSP has nothing to send keeps the line
        // fed (fax_tx then always fills the buffer).
        unsafe { (api.fax_set_transmit_on_idle)(state.as_ptr(), 1) };
        Ok(audio)
    }

    pub(crate) fn hear(&mut self, samples: &[i16]) {
        for chunk in samples.chunks(CHUNK) {
            // fax_rx writes into the buffer it gets (its DC filter works in place), so
            // SpanDSP gets a copy, never the caller's slice.
            self.scratch.clear();
            self.scratch.extend_from_slice(chunk);
            let len = c_int::try_from(chunk.len()).unwrap_or(0);
            // SAFETY: state is live; scratch holds len writable samples.
            unsafe { (self.core.api.fax_rx)(self.state.as_ptr(), self.scratch.as_mut_ptr(), len) };
        }
    }

    pub(crate) fn speak(&mut self, out: &mut [i16]) {
        for chunk in out.chunks_mut(CHUNK) {
            let len = c_int::try_from(chunk.len()).unwrap_or(0);
            // SAFETY: state is live; chunk holds len writable samples.
            let made =
                unsafe { (self.core.api.fax_tx)(self.state.as_ptr(), chunk.as_mut_ptr(), len) };
            let made = usize::try_from(made).unwrap_or(0).min(chunk.len());
            chunk[made..].fill(0);
        }
    }

    pub(crate) fn pages(&self) -> u32 {
        self.core.callbacks().pages.get()
    }

    pub(crate) fn outcome(&self) -> Option<&Outcome> {
        self.core.callbacks().outcome.get()
    }

    pub(crate) fn hang_up(&mut self) {
        self.core.hang_up();
    }
}

impl Drop for Audio {
    fn drop(&mut self) {
        // SAFETY: state came from fax_init and is freed once, here, before the callback
        // box (the field `core` is dropped after this).
        unsafe { (self.core.api.fax_free)(self.state.as_ptr()) };
    }
}

/// A T.30 session over T.38: SpanDSP's `t38_terminal_state_t`.
pub(crate) struct T38 {
    terminal: NonNull<T38TerminalState>,
    core_ifp: NonNull<T38CoreState>,
    core: Core,
}

// SAFETY: as for Audio.
unsafe impl Send for T38 {}

impl T38 {
    pub(crate) fn new(setup: &Setup<'_>) -> Result<T38, FaxError> {
        let api = api()?;
        let callbacks = new_callbacks(api, setup.sending);
        // SAFETY: NULL asks t38_terminal_init to allocate (t38_terminal.h); the packet
        // handler matches t38_tx_packet_handler_t and its user data outlives the state.
        let terminal = unsafe {
            (api.t38_terminal_init)(
                ptr::null_mut(),
                c_int::from(setup.calling),
                Some(on_t38_packet),
                callbacks.as_ptr().cast::<c_void>(),
            )
        };
        let Some(terminal) = NonNull::new(terminal) else {
            free_callbacks(callbacks);
            return Err(FaxError::Init(
                "t38_terminal_init ist fehlgeschlagen".into(),
            ));
        };
        // SAFETY: terminal is live; these states live inside it.
        let (t30, core_ifp, log) = unsafe {
            (
                (api.t38_terminal_get_t30_state)(terminal.as_ptr()),
                (api.t38_terminal_get_t38_core_state)(terminal.as_ptr()),
                (api.t38_terminal_get_logging_state)(terminal.as_ptr()),
            )
        };
        let (Some(t30), Some(core_ifp)) = (NonNull::new(t30), NonNull::new(core_ifp)) else {
            // SAFETY: terminal came from t38_terminal_init and is freed once, here.
            unsafe { (api.t38_terminal_free)(terminal.as_ptr()) };
            free_callbacks(callbacks);
            return Err(FaxError::Init("t38_terminal_init ist unvollständig".into()));
        };
        // SAFETY: core_ifp is live inside terminal.
        let core_log = unsafe { (api.t38_core_get_logging_state)(core_ifp.as_ptr()) };
        let t38 = T38 {
            terminal,
            core_ifp,
            core: Core {
                api,
                t30,
                callbacks,
            },
        };
        t38.core.configure(setup, &[log, core_log])?;
        Ok(t38)
    }

    pub(crate) fn handle_ifp(&mut self, seq: u16, ifp: &[u8]) {
        let Ok(len) = c_int::try_from(ifp.len()) else {
            return;
        };
        // SAFETY: the T.38 core is live; ifp holds len readable bytes, read during the call.
        unsafe {
            (self.core.api.t38_core_rx_ifp_packet)(self.core_ifp.as_ptr(), ifp.as_ptr(), len, seq)
        };
    }

    pub(crate) fn advance(&mut self, samples: usize) {
        let mut left = samples;
        while left > 0 {
            let step = left.min(T38_STEP);
            left -= step;
            // SAFETY: terminal is live; step fits an int.
            unsafe {
                (self.core.api.t38_terminal_send_timeout)(self.terminal.as_ptr(), step as c_int)
            };
        }
    }

    pub(crate) fn poll_ifp(&mut self) -> Option<Vec<u8>> {
        self.core.callbacks().ifp.borrow_mut().pop_front()
    }

    pub(crate) fn pages(&self) -> u32 {
        self.core.callbacks().pages.get()
    }

    pub(crate) fn outcome(&self) -> Option<&Outcome> {
        self.core.callbacks().outcome.get()
    }

    pub(crate) fn hang_up(&mut self) {
        self.core.hang_up();
    }
}

impl Drop for T38 {
    fn drop(&mut self) {
        // SAFETY: terminal came from t38_terminal_init and is freed once, here, before the
        // callback box (the field `core` is dropped after this).
        unsafe { (self.core.api.t38_terminal_free)(self.terminal.as_ptr()) };
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_missing_library_is_reported_not_fatal() {
        let Err(why) = load("libdurchwahl-no-such-library.so.2") else {
            panic!("loaded a library that does not exist");
        };
        assert!(
            why.starts_with("libspandsp2 ist nicht installiert"),
            "{why}"
        );
    }
}
