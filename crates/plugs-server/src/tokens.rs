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
