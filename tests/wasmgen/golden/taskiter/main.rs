// main.rs: the user-space side of taskiter in Rust, built for wasm32-wasi
// (`cargo build --release`, see .cargo/config.toml) and run with
// `ecli run target/wasm32-wasi/release/taskiter.wasm`.
// Generated once by `ecc gen-wasm-skel --rust` (kept unless --force): edit freely.
#[path = "taskiter_skel.rs"]
mod skel;

const NAME: &str = "taskiter";

fn main() {
    let mut s = skel::Skel::open();
    if let Err(e) = s.load() {
        eprintln!("{}: cannot load the BPF object: {}", NAME, e);
        std::process::exit(1);
    }
    if let Err(e) = s.attach() {
        eprintln!("{}: cannot attach the BPF programs: {}", NAME, e);
        std::process::exit(1);
    }
    loop {
        std::thread::sleep(std::time::Duration::from_secs(1));
    }
}
