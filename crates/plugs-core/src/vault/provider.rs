//! SQLCipher's page cryptography through RustCrypto instead of OpenSSL 3.
//!
//! SQLCipher encrypts every page it writes (AES-256-CBC, a random IV) and authenticates it (HMAC
//! over the ciphertext, the IV and the page number) through a *provider*, a table of functions.
//! Its OpenSSL provider looks up the HMAC and the cipher in OpenSSL's provider registry and builds
//! and frees their contexts on every page: with OpenSSL 3.0 (Debian 12) that bookkeeping costs
//! more than the AES and SHA-256 of the page themselves. This provider does the same operations
//! with the same algorithms and parameters through the `aes`/`cbc`, `hmac`/`sha2` and `pbkdf2`
//! crates (AES-NI and SHA-NI used where the processor has them), so the file is byte for byte the
//! format SQLCipher writes with OpenSSL: stores written by either provider open with the other
//! (`tests/cipher_provider.rs`).
//!
//! It is registered once per process, before the first key is given to a connection
//! ([`register`]), and becomes SQLCipher's default; OpenSSL stays registered behind it.

use std::ffi::{c_char, c_int, c_void};
use std::sync::atomic::{AtomicPtr, Ordering};
use std::sync::Once;

const SQLITE_OK: c_int = 0;
const SQLITE_ERROR: c_int = 1;

const HMAC_SHA1: c_int = 0;
const HMAC_SHA256: c_int = 1;
const HMAC_SHA512: c_int = 2;
// The KDF algorithms are numbered the same way (PBKDF2_HMAC_SHA1 = 0, _SHA256 = 1, _SHA512 = 2).

const ENCRYPT: c_int = 1;

/// `struct sqlcipher_provider` of SQLCipher 4 (sqlcipher.h), field for field.
#[repr(C)]
struct Provider {
    init: Option<unsafe extern "C" fn() -> c_int>,
    shutdown: Option<unsafe extern "C" fn()>,
    get_provider_name: unsafe extern "C" fn(*mut c_void) -> *const c_char,
    add_random: unsafe extern "C" fn(*mut c_void, *const c_void, c_int) -> c_int,
    random: unsafe extern "C" fn(*mut c_void, *mut c_void, c_int) -> c_int,
    hmac: unsafe extern "C" fn(*mut c_void, c_int, *const u8, c_int, *const u8, c_int, *const u8, c_int, *mut u8) -> c_int,
    kdf: unsafe extern "C" fn(*mut c_void, c_int, *const u8, c_int, *const u8, c_int, c_int, c_int, *mut u8) -> c_int,
    cipher: unsafe extern "C" fn(*mut c_void, c_int, *const u8, c_int, *const u8, *const u8, c_int, *mut u8) -> c_int,
    get_cipher: unsafe extern "C" fn(*mut c_void) -> *const c_char,
    get_key_sz: unsafe extern "C" fn(*mut c_void) -> c_int,
    get_iv_sz: unsafe extern "C" fn(*mut c_void) -> c_int,
    get_block_sz: unsafe extern "C" fn(*mut c_void) -> c_int,
    get_hmac_sz: unsafe extern "C" fn(*mut c_void, c_int) -> c_int,
    ctx_init: unsafe extern "C" fn(*mut *mut c_void) -> c_int,
    ctx_free: unsafe extern "C" fn(*mut *mut c_void) -> c_int,
    fips_status: unsafe extern "C" fn(*mut c_void) -> c_int,
    get_provider_version: unsafe extern "C" fn(*mut c_void) -> *const c_char,
    next: *mut Provider,
}

extern "C" {
    fn sqlcipher_register_provider(p: *mut Provider) -> c_int;
    /// SQLCipher frees every registered provider with `sqlcipher_free` at shutdown, so the table
    /// is allocated with its allocator.
    fn sqlcipher_malloc(sz: u64) -> *mut c_void;
    fn sqlcipher_get_provider() -> *mut Provider;
}

/// The provider's name, as `PRAGMA cipher_provider` says it.
pub const NAME: &str = "rustcrypto";

static REGISTER: Once = Once::new();
/// The providers registered: SQLCipher's own (OpenSSL) and this one.
static OPENSSL: AtomicPtr<Provider> = AtomicPtr::new(std::ptr::null_mut());
static RUSTCRYPTO: AtomicPtr<Provider> = AtomicPtr::new(std::ptr::null_mut());

/// Makes this provider SQLCipher's default for every key given from now on (once per process).
pub(crate) fn register() {
    REGISTER.call_once(|| unsafe {
        // SQLCipher sets itself up (its mutexes, OpenSSL as the default) in sqlite3_initialize.
        if rusqlite::ffi::sqlite3_initialize() != SQLITE_OK {
            tracing::warn!("SQLite did not initialize; SQLCipher keeps its OpenSSL provider");
            return;
        }
        OPENSSL.store(sqlcipher_get_provider(), Ordering::SeqCst);
        let p = sqlcipher_malloc(std::mem::size_of::<Provider>() as u64) as *mut Provider;
        if p.is_null() {
            tracing::warn!("no memory for the cipher provider; SQLCipher keeps its OpenSSL provider");
            return;
        }
        p.write(Provider {
            init: None,
            shutdown: None,
            get_provider_name,
            add_random,
            random,
            hmac,
            kdf,
            cipher,
            get_cipher,
            get_key_sz,
            get_iv_sz,
            get_block_sz,
            get_hmac_sz,
            ctx_init,
            ctx_free,
            fips_status,
            get_provider_version,
            next: std::ptr::null_mut(),
        });
        if sqlcipher_register_provider(p) != SQLITE_OK {
            tracing::warn!("SQLCipher refused the cipher provider; it keeps OpenSSL");
            return;
        }
        RUSTCRYPTO.store(p, Ordering::SeqCst);
    });
}

/// Makes SQLCipher's own OpenSSL provider (`false`) or this one (`true`) the default for the
/// connections keyed from now on; for the tests and benchmarks that compare the two. Returns
/// whether the one asked for is now in use.
#[doc(hidden)]
pub fn use_rustcrypto(yes: bool) -> bool {
    register();
    let p = if yes { &RUSTCRYPTO } else { &OPENSSL }.load(Ordering::SeqCst);
    // SAFETY: both were registered with SQLCipher, which keeps them until it shuts down;
    // registering one again only moves it to the front of its list.
    !p.is_null() && unsafe { sqlcipher_register_provider(p) } == SQLITE_OK
}

/// Runs `f`, turning a panic (which must not cross into C) into SQLITE_ERROR.
fn guarded(f: impl FnOnce() -> Option<()>) -> c_int {
    match std::panic::catch_unwind(std::panic::AssertUnwindSafe(f)) {
        Ok(Some(())) => SQLITE_OK,
        _ => SQLITE_ERROR,
    }
}

/// A byte slice from C, `None` for a negative length or a null pointer with a length.
unsafe fn bytes<'a>(p: *const u8, n: c_int) -> Option<&'a [u8]> {
    let n = usize::try_from(n).ok()?;
    if n == 0 {
        return Some(&[]);
    }
    (!p.is_null()).then(|| std::slice::from_raw_parts(p, n))
}

unsafe extern "C" fn get_provider_name(_: *mut c_void) -> *const c_char {
    c"rustcrypto".as_ptr()
}

unsafe extern "C" fn get_provider_version(_: *mut c_void) -> *const c_char {
    c"RustCrypto aes, cbc, hmac, sha1, sha2, pbkdf2".as_ptr()
}

unsafe extern "C" fn get_cipher(_: *mut c_void) -> *const c_char {
    // OpenSSL's short name of the cipher, as SQLCipher's OpenSSL provider reports it.
    c"AES-256-CBC".as_ptr()
}

unsafe extern "C" fn add_random(_: *mut c_void, _: *const c_void, _: c_int) -> c_int {
    // The generator below draws from the operating system; entropy added by hand has no use.
    SQLITE_OK
}

/// Random bytes (the pages' IVs, salts) from the thread's CSPRNG (ChaCha, seeded and reseeded
/// from the operating system, reseeded after a fork).
unsafe extern "C" fn random(_: *mut c_void, buf: *mut c_void, n: c_int) -> c_int {
    use rand::RngCore;
    guarded(|| {
        let n = usize::try_from(n).ok()?;
        if n > 0 {
            if buf.is_null() {
                return None;
            }
            let out = std::slice::from_raw_parts_mut(buf as *mut u8, n);
            rand::thread_rng().try_fill_bytes(out).ok()?;
        }
        Some(())
    })
}

fn mac<M: hmac::Mac + hmac::digest::KeyInit>(key: &[u8], a: &[u8], b: &[u8], out: *mut u8) -> Option<()> {
    let mut m = <M as hmac::digest::KeyInit>::new_from_slice(key).ok()?;
    m.update(a);
    m.update(b);
    let tag = m.finalize().into_bytes();
    // SAFETY (caller): `out` holds the algorithm's size, as SQLCipher sizes it by get_hmac_sz.
    unsafe { std::ptr::copy_nonoverlapping(tag.as_ptr(), out, tag.len()) };
    Some(())
}

#[allow(clippy::too_many_arguments)]
unsafe extern "C" fn hmac(_: *mut c_void, algorithm: c_int, key: *const u8, key_sz: c_int, a: *const u8, a_sz: c_int, b: *const u8, b_sz: c_int, out: *mut u8) -> c_int {
    guarded(|| {
        let (key, a) = (bytes(key, key_sz)?, bytes(a, a_sz)?);
        if out.is_null() {
            return None;
        }
        let b = if b.is_null() { &[][..] } else { bytes(b, b_sz)? };
        match algorithm {
            HMAC_SHA1 => mac::<hmac::Hmac<sha1::Sha1>>(key, a, b, out),
            HMAC_SHA256 => mac::<hmac::Hmac<sha2::Sha256>>(key, a, b, out),
            HMAC_SHA512 => mac::<hmac::Hmac<sha2::Sha512>>(key, a, b, out),
            _ => None,
        }
    })
}

#[allow(clippy::too_many_arguments)]
unsafe extern "C" fn kdf(_: *mut c_void, algorithm: c_int, pass: *const u8, pass_sz: c_int, salt: *const u8, salt_sz: c_int, rounds: c_int, key_sz: c_int, key: *mut u8) -> c_int {
    guarded(|| {
        let (pass, salt) = (bytes(pass, pass_sz)?, bytes(salt, salt_sz)?);
        let rounds = u32::try_from(rounds).ok().filter(|r| *r > 0)?;
        let n = usize::try_from(key_sz).ok()?;
        if key.is_null() {
            return None;
        }
        let out = std::slice::from_raw_parts_mut(key, n);
        match algorithm {
            HMAC_SHA1 => pbkdf2::pbkdf2::<hmac::Hmac<sha1::Sha1>>(pass, salt, rounds, out).ok(),
            HMAC_SHA256 => pbkdf2::pbkdf2::<hmac::Hmac<sha2::Sha256>>(pass, salt, rounds, out).ok(),
            HMAC_SHA512 => pbkdf2::pbkdf2::<hmac::Hmac<sha2::Sha512>>(pass, salt, rounds, out).ok(),
            _ => None,
        }
    })
}

/// AES-256-CBC without padding over whole blocks (a page less its reserve), `input` and `output`
/// either the same buffer or apart.
#[allow(clippy::too_many_arguments)]
unsafe extern "C" fn cipher(_: *mut c_void, mode: c_int, key: *const u8, key_sz: c_int, iv: *const u8, input: *const u8, in_sz: c_int, output: *mut u8) -> c_int {
    use cbc::cipher::{block_padding::NoPadding, BlockDecryptMut, BlockEncryptMut, KeyIvInit};
    guarded(|| {
        let key = bytes(key, key_sz)?;
        let iv = bytes(iv, 16)?;
        let n = usize::try_from(in_sz).ok()?;
        if n % 16 != 0 || input.is_null() || output.is_null() {
            return None;
        }
        // In place when both are the same buffer; a copy of the input when they overlap
        // otherwise (SQLCipher never does that today).
        let in_range = input as usize..input as usize + n;
        let out_range = output as usize..output as usize + n;
        let copy: Vec<u8>;
        let src: Option<&[u8]> = if std::ptr::eq(input, output) {
            None
        } else if in_range.start < out_range.end && out_range.start < in_range.end {
            copy = std::slice::from_raw_parts(input, n).to_vec();
            Some(&copy)
        } else {
            Some(std::slice::from_raw_parts(input, n))
        };
        let out = std::slice::from_raw_parts_mut(output, n);
        if mode == ENCRYPT {
            let enc = cbc::Encryptor::<aes::Aes256>::new_from_slices(key, iv).ok()?;
            match src {
                Some(src) => enc.encrypt_padded_b2b_mut::<NoPadding>(src, out).ok().map(|_| ()),
                None => enc.encrypt_padded_mut::<NoPadding>(out, n).ok().map(|_| ()),
            }
        } else {
            let dec = cbc::Decryptor::<aes::Aes256>::new_from_slices(key, iv).ok()?;
            match src {
                Some(src) => dec.decrypt_padded_b2b_mut::<NoPadding>(src, out).ok().map(|_| ()),
                None => dec.decrypt_padded_mut::<NoPadding>(out).ok().map(|_| ()),
            }
        }
    })
}

unsafe extern "C" fn get_key_sz(_: *mut c_void) -> c_int {
    32
}

unsafe extern "C" fn get_iv_sz(_: *mut c_void) -> c_int {
    16
}

unsafe extern "C" fn get_block_sz(_: *mut c_void) -> c_int {
    16
}

unsafe extern "C" fn get_hmac_sz(_: *mut c_void, algorithm: c_int) -> c_int {
    match algorithm {
        HMAC_SHA1 => 20,
        HMAC_SHA256 => 32,
        HMAC_SHA512 => 64,
        _ => 0,
    }
}

unsafe extern "C" fn ctx_init(ctx: *mut *mut c_void) -> c_int {
    // No state per database: every call is given its key.
    if !ctx.is_null() {
        *ctx = std::ptr::null_mut();
    }
    SQLITE_OK
}

unsafe extern "C" fn ctx_free(ctx: *mut *mut c_void) -> c_int {
    if !ctx.is_null() {
        *ctx = std::ptr::null_mut();
    }
    SQLITE_OK
}

unsafe extern "C" fn fips_status(_: *mut c_void) -> c_int {
    0
}
