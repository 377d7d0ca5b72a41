//! The app's SQLCipher provider (RustCrypto) writes the very format SQLCipher's own OpenSSL
//! provider writes: a database written by either opens, reads and checks whole with the other,
//! for each HMAC and key derivation SQLCipher offers; a wrong key or a changed byte is refused.
//!
//! One test function: the provider is chosen for the whole process.

use plugs_core::vault::use_rustcrypto;
use rusqlite::Connection;
use std::path::Path;

const RAW_KEY: &str = "x'2b7e151628aed2a6abf7158809cf4f3c762e7160f38b4da56a784d9045190cfe'";

fn keyed(path: &Path, key: &str, hmac: &str, kdf: &str) -> rusqlite::Result<Connection> {
    let c = Connection::open(path)?;
    // A passphrase's derivation with fewer rounds than SQLCipher's 256,000: the same code path.
    let rounds = if key.starts_with("x'") { "" } else { "PRAGMA kdf_iter = 5000;" };
    c.execute_batch(&format!("PRAGMA cipher_log_level = NONE; PRAGMA key = \"{key}\"; {rounds} PRAGMA cipher_hmac_algorithm = {hmac}; PRAGMA cipher_kdf_algorithm = {kdf};"))?;
    Ok(c)
}

fn provider(c: &Connection) -> String {
    c.query_row("PRAGMA cipher_provider", [], |r| r.get(0)).unwrap()
}

/// Writes 3,000 rows over a few hundred pages, in WAL mode (the app's), through the provider chosen.
fn write(path: &Path, key: &str, hmac: &str, kdf: &str) {
    let c = keyed(path, key, hmac, kdf).unwrap();
    c.execute_batch("PRAGMA journal_mode = WAL; CREATE TABLE people(id INTEGER PRIMARY KEY, name TEXT, notes TEXT); CREATE INDEX people_name ON people(name);").unwrap();
    let tx = c.unchecked_transaction().unwrap();
    for i in 0..3000 {
        tx.execute("INSERT INTO people(name, notes) VALUES (?1, ?2)", rusqlite::params![format!("Person {i:05}"), "met at the booth ".repeat(i % 7 + 1)]).unwrap();
    }
    tx.commit().unwrap();
    // Half in the file, half still in the WAL when the other provider reads it.
    c.query_row("PRAGMA wal_checkpoint(TRUNCATE)", [], |_| Ok(())).unwrap();
    c.execute("UPDATE people SET notes = 'edited' WHERE id % 2 = 0", []).unwrap();
}

fn read(path: &Path, key: &str, hmac: &str, kdf: &str) -> rusqlite::Result<(i64, i64, String)> {
    let c = keyed(path, key, hmac, kdf)?;
    let (n, edited): (i64, i64) = c.query_row("SELECT count(*), sum(notes = 'edited') FROM people", [], |r| Ok((r.get(0)?, r.get(1)?)))?;
    // SQLCipher's check of every page's HMAC, then SQLite's own.
    let mut bad = vec![];
    let mut st = c.prepare("PRAGMA cipher_integrity_check")?;
    let mut rows = st.query([])?;
    while let Some(r) = rows.next()? {
        bad.push(r.get::<_, String>(0)?);
    }
    assert!(bad.is_empty(), "cipher_integrity_check: {bad:?}");
    let ok: String = c.query_row("PRAGMA integrity_check", [], |r| r.get(0))?;
    Ok((n, edited, ok))
}

#[test]
fn either_provider_reads_what_the_other_wrote() {
    let dir = tempfile::tempdir().unwrap();
    let settings = [
        (RAW_KEY, "HMAC_SHA256", "PBKDF2_HMAC_SHA256"),        // the app's settings
        (RAW_KEY, "HMAC_SHA512", "PBKDF2_HMAC_SHA512"),        // SQLCipher 4's defaults
        (RAW_KEY, "HMAC_SHA1", "PBKDF2_HMAC_SHA1"),            // SQLCipher 3's
        ("a passphrase", "HMAC_SHA256", "PBKDF2_HMAC_SHA256"), // a key derived with PBKDF2
        ("a passphrase", "HMAC_SHA512", "PBKDF2_HMAC_SHA512"),
    ];
    for (i, (key, hmac, kdf)) in settings.iter().enumerate() {
        for (writer, reader) in [(false, true), (true, false)] {
            let path = dir.path().join(format!("{i}-{writer}.db"));
            assert!(use_rustcrypto(writer));
            write(&path, key, hmac, kdf);
            {
                let c = keyed(&path, key, hmac, kdf).unwrap();
                assert_eq!(provider(&c), if writer { "rustcrypto" } else { "openssl" });
            }
            assert!(use_rustcrypto(reader));
            let c = keyed(&path, key, hmac, kdf).unwrap();
            assert_eq!(provider(&c), if reader { "rustcrypto" } else { "openssl" });
            drop(c);
            let (n, edited, ok) = read(&path, key, hmac, kdf).unwrap_or_else(|e| panic!("{hmac}/{kdf}, written by {}: {e}", if writer { "rustcrypto" } else { "openssl" }));
            assert_eq!((n, edited, ok.as_str()), (3000, 1500, "ok"), "{hmac}/{kdf}");
            // The wrong key, or the right key with another HMAC, reads nothing.
            let wrong = keyed(&path, "x'00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff'", hmac, kdf).unwrap();
            let e = wrong.query_row("SELECT count(*) FROM people", [], |r| r.get::<_, i64>(0)).unwrap_err();
            assert!(e.to_string().contains("not a database"), "{e}");
        }
    }

    // A changed byte in a page is refused by the app's provider (its HMAC no longer matches).
    assert!(use_rustcrypto(true));
    let path = dir.path().join("tampered.db");
    write(&path, RAW_KEY, "HMAC_SHA256", "PBKDF2_HMAC_SHA256");
    {
        let c = keyed(&path, RAW_KEY, "HMAC_SHA256", "PBKDF2_HMAC_SHA256").unwrap();
        c.query_row("PRAGMA wal_checkpoint(TRUNCATE)", [], |_| Ok(())).unwrap();
    }
    let mut bytes = std::fs::read(&path).unwrap();
    assert!(bytes.len() > 40 * 4096);
    bytes[20 * 4096 + 100] ^= 0x01;
    std::fs::write(&path, &bytes).unwrap();
    let c = keyed(&path, RAW_KEY, "HMAC_SHA256", "PBKDF2_HMAC_SHA256").unwrap();
    let mut st = c.prepare("PRAGMA cipher_integrity_check").unwrap();
    let found: Vec<String> = st.query_map([], |r| r.get(0)).unwrap().map(|r| r.unwrap()).collect();
    assert_eq!(found.len(), 1, "{found:?}");
    assert!(found[0].contains("page 21"), "{found:?}");
}
