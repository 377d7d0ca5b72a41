// The migrations are embedded at compile time: a new or changed file rebuilds the server.
fn main() {
    println!("cargo:rerun-if-changed=../../migrations/server");
}
