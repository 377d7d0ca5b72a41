//! Password hashing: argon2id with OWASP's recommended parameters (19 MiB, 2 passes, 1 lane), run
//! off the async threads.

use argon2::password_hash::{rand_core::OsRng, PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use argon2::{Algorithm, Argon2, Params, Version};
use std::sync::OnceLock;

/// The shortest password accepted.
pub const MIN_LEN: usize = 10;
/// The longest password accepted (hashing cost must stay bounded).
pub const MAX_LEN: usize = 256;

fn argon2() -> Argon2<'static> {
    let params = Params::new(19 * 1024, 2, 1, None).expect("OWASP argon2id parameters are valid");
    Argon2::new(Algorithm::Argon2id, Version::V0x13, params)
}

/// Hashes a password (PHC string).
pub async fn hash(password: String) -> String {
    tokio::task::spawn_blocking(move || {
        let salt = SaltString::generate(&mut OsRng);
        argon2().hash_password(password.as_bytes(), &salt).expect("hashing with valid parameters succeeds").to_string()
    })
    .await
    .expect("the hashing task does not panic")
}

/// Checks a password against a PHC hash. Malformed or placeholder hashes never match.
pub async fn verify(password: String, hash: String) -> bool {
    tokio::task::spawn_blocking(move || match PasswordHash::new(&hash) {
        Ok(parsed) => argon2().verify_password(password.as_bytes(), &parsed).is_ok(),
        Err(_) => false,
    })
    .await
    .unwrap_or(false)
}

/// Spends the same effort as a real check when there is no account to check against, so response
/// times do not tell whether an email exists.
pub async fn verify_nothing(password: String) {
    static DUMMY: OnceLock<String> = OnceLock::new();
    let dummy = match DUMMY.get() {
        Some(h) => h.clone(),
        None => {
            let h = hash("a password that no account has".into()).await;
            DUMMY.get_or_init(|| h).clone()
        }
    };
    let _ = verify(password, dummy).await;
}

/// Why a new password is refused, if it is.
pub fn check_new(password: &str) -> Result<(), String> {
    let n = password.chars().count();
    if n < MIN_LEN {
        return Err(format!("must be at least {MIN_LEN} characters"));
    }
    if n > MAX_LEN {
        return Err(format!("must be at most {MAX_LEN} characters"));
    }
    Ok(())
}
