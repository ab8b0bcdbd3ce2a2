//! TLS for end-to-end tests (feature `tls`): certificates made in the test with rcgen
//! instead of by the `openssl` tool, and a client that takes whatever certificate a server
//! presents and records it, to check exactly which one is served.

use rcgen::{
    BasicConstraints, CertificateParams, DnType, ExtendedKeyUsagePurpose, IsCa, Issuer, KeyPair,
    KeyUsagePurpose,
};
use rustls::client::danger::{HandshakeSignatureValid, ServerCertVerified, ServerCertVerifier};
use rustls::crypto::CryptoProvider;
use rustls::pki_types::{CertificateDer, ServerName, UnixTime};
use rustls::{ClientConfig, ClientConnection, DigitallySignedStruct, SignatureScheme};
use std::net::TcpStream;
use std::path::Path;
use std::sync::{Arc, Mutex};

/// A certificate and its private key.
pub struct Certified {
    /// The certificate, PEM.
    pub cert_pem: String,
    /// The private key (PKCS#8), PEM.
    pub key_pem: String,
    /// The certificate, DER: what a server presents on the wire.
    pub der: Vec<u8>,
}

impl Certified {
    /// Writes `cert.pem` and `key.pem` into `dir`, each first under another name and then
    /// renamed, so a server that reloads changed files never reads half of one.
    pub fn write_to(&self, dir: &Path) {
        for (name, text) in [("key.pem", &self.key_pem), ("cert.pem", &self.cert_pem)] {
            let aside = dir.join(format!(".{name}.new"));
            std::fs::write(&aside, text).expect("write a PEM file");
            std::fs::rename(&aside, dir.join(name)).expect("rename a PEM file");
        }
    }
}

/// Certificate parameters for a server: subject `CN=common_name`, valid for `names`
/// (DNS names or IP addresses), for TLS servers.
fn server_params(common_name: &str, names: &[&str]) -> CertificateParams {
    let names: Vec<String> = names.iter().map(|n| n.to_string()).collect();
    let mut params = CertificateParams::new(names).expect("valid names");
    params
        .distinguished_name
        .push(DnType::CommonName, common_name);
    params
        .extended_key_usages
        .push(ExtendedKeyUsagePurpose::ServerAuth);
    params
}

/// A self-signed certificate with subject `CN=common_name`, valid for `names`. It is
/// marked as its own CA, like `openssl req -x509` makes it, so a client can be given it
/// as the one authority it trusts.
pub fn self_signed(common_name: &str, names: &[&str]) -> Certified {
    let mut params = server_params(common_name, names);
    params.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
    let key = KeyPair::generate().expect("a key");
    let cert = params.self_signed(&key).expect("a self-signed certificate");
    Certified {
        cert_pem: cert.pem(),
        key_pem: key.serialize_pem(),
        der: cert.der().to_vec(),
    }
}

/// An internal certificate authority that issues server certificates.
pub struct Authority {
    issuer: Issuer<'static, KeyPair>,
    /// Its own certificate, PEM: what a client is told to trust.
    pub cert_pem: String,
}

impl Authority {
    /// A new authority with subject `CN=common_name`.
    pub fn new(common_name: &str) -> Authority {
        let mut params = CertificateParams::new(Vec::<String>::new()).expect("no names");
        params
            .distinguished_name
            .push(DnType::CommonName, common_name);
        params.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
        params.key_usages = vec![KeyUsagePurpose::KeyCertSign, KeyUsagePurpose::CrlSign];
        let key = KeyPair::generate().expect("a key");
        let cert = params
            .self_signed(&key)
            .expect("the authority's certificate");
        Authority {
            issuer: Issuer::new(params, key),
            cert_pem: cert.pem(),
        }
    }

    /// A server certificate it signs: subject `CN=common_name`, valid for `names`.
    pub fn issue(&self, common_name: &str, names: &[&str]) -> Certified {
        let mut params = server_params(common_name, names);
        params.use_authority_key_identifier_extension = true;
        let key = KeyPair::generate().expect("a key");
        let cert = params.signed_by(&key, &self.issuer).expect("a certificate");
        Certified {
            cert_pem: cert.pem(),
            key_pem: key.serialize_pem(),
            der: cert.der().to_vec(),
        }
    }
}

/// The crypto provider the server uses.
fn provider() -> Arc<CryptoProvider> {
    Arc::new(rustls::crypto::aws_lc_rs::default_provider())
}

/// The certificate the last handshake was offered.
pub type Seen = Arc<Mutex<Option<Vec<u8>>>>;

/// Takes any certificate and records it; the handshake's signatures are still checked,
/// so the server must hold the key of the certificate it presents.
#[derive(Debug)]
struct RecordingVerifier {
    provider: Arc<CryptoProvider>,
    seen: Seen,
}

impl ServerCertVerifier for RecordingVerifier {
    fn verify_server_cert(
        &self,
        end_entity: &CertificateDer<'_>,
        _intermediates: &[CertificateDer<'_>],
        _server_name: &ServerName<'_>,
        _ocsp_response: &[u8],
        _now: UnixTime,
    ) -> Result<ServerCertVerified, rustls::Error> {
        *self.seen.lock().expect("not poisoned") = Some(end_entity.to_vec());
        Ok(ServerCertVerified::assertion())
    }

    fn verify_tls12_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        rustls::crypto::verify_tls12_signature(
            message,
            cert,
            dss,
            &self.provider.signature_verification_algorithms,
        )
    }

    fn verify_tls13_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        rustls::crypto::verify_tls13_signature(
            message,
            cert,
            dss,
            &self.provider.signature_verification_algorithms,
        )
    }

    fn supported_verify_schemes(&self) -> Vec<SignatureScheme> {
        self.provider
            .signature_verification_algorithms
            .supported_schemes()
    }
}

/// A client configuration that takes any server certificate and records it in `seen`;
/// offers `alpn` (e.g. `http/1.1`) when given.
pub fn recording_client(seen: Seen, alpn: Option<&[u8]>) -> Arc<ClientConfig> {
    let provider = provider();
    let verifier = RecordingVerifier {
        provider: provider.clone(),
        seen,
    };
    let mut config = ClientConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .expect("TLS 1.2 and 1.3")
        .dangerous()
        .with_custom_certificate_verifier(Arc::new(verifier))
        .with_no_client_auth();
    config.alpn_protocols = alpn.into_iter().map(<[u8]>::to_vec).collect();
    Arc::new(config)
}

/// A TLS client connection to `host:port` (the host also named to the server).
pub fn connect(
    address: &str,
    config: Arc<ClientConfig>,
) -> rustls::StreamOwned<ClientConnection, TcpStream> {
    let host = address.rsplit_once(':').map_or(address, |(host, _)| host);
    let name = ServerName::try_from(host.trim_matches(['[', ']']).to_string())
        .expect("a host name or address");
    let connection = ClientConnection::new(config, name).expect("a TLS client");
    let tcp = TcpStream::connect(address).expect("connect");
    rustls::StreamOwned::new(connection, tcp)
}

/// The certificate (DER) the TLS server at `host:port` presents now.
pub fn served_certificate(address: &str) -> Vec<u8> {
    let seen = Seen::default();
    let mut stream = connect(address, recording_client(seen.clone(), None));
    while stream.conn.is_handshaking() {
        stream
            .conn
            .complete_io(&mut stream.sock)
            .unwrap_or_else(|e| panic!("TLS handshake with {address}: {e}"));
    }
    let der = seen.lock().expect("not poisoned").take();
    der.expect("the server presented a certificate")
}
