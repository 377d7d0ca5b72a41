//! Access and refresh tokens: 256 random bits each, handed out once, kept only as SHA-256 hashes.

use base64::Engine as _;
use rand::RngCore;
use sha2::{Digest, Sha256};

/// A new token with the given prefix (`pa_` access, `pr_` refresh) and its hash.
pub fn generate(prefix: &str) -> (String, Vec<u8>) {
    let mut bytes = [0u8; 32];
    rand::rngs::OsRng.fill_bytes(&mut bytes);
    let token = format!("{prefix}{}", base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes));
    let h = hash(&token);
    (token, h)
}

/// The stored form of a token.
pub fn hash(token: &str) -> Vec<u8> {
    Sha256::digest(token.as_bytes()).to_vec()
}

/// The key a used refresh token opens its sealed pair with: only the token's holder can derive it.
fn grace_key(token: &str) -> chacha20poly1305::Key {
    let mut h = Sha256::new();
    h.update(b"plugs refresh grace\0");
    h.update(token.as_bytes());
    h.finalize()
}

/// Seals `text` under a key derived from `token`. Each key seals one text only (a refresh token is
/// used once), so a fixed nonce is safe.
pub fn seal(token: &str, text: &str) -> Vec<u8> {
    use chacha20poly1305::aead::{Aead, KeyInit};
    let cipher = chacha20poly1305::ChaCha20Poly1305::new(&grace_key(token));
    cipher.encrypt(&chacha20poly1305::Nonce::default(), text.as_bytes()).expect("sealing in memory does not fail")
}

/// Opens what [`seal`] sealed with the same token.
pub fn open(token: &str, sealed: &[u8]) -> Option<String> {
    use chacha20poly1305::aead::{Aead, KeyInit};
    let cipher = chacha20poly1305::ChaCha20Poly1305::new(&grace_key(token));
    String::from_utf8(cipher.decrypt(&chacha20poly1305::Nonce::default(), sealed).ok()?).ok()
}

#[cfg(test)]
mod tests {
    #[test]
    fn only_the_same_token_opens_its_sealed_pair() {
        let sealed = super::seal("pr_one", "pa_x\npr_y");
        assert_eq!(super::open("pr_one", &sealed).as_deref(), Some("pa_x\npr_y"));
        assert_eq!(super::open("pr_two", &sealed), None);
        assert!(!sealed.windows(4).any(|w| w == b"pa_x"));
    }
}
