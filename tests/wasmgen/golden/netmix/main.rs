// main.rs: the user-space side of netmix in Rust, built for wasm32-wasi
// (`cargo build --release`, see .cargo/config.toml) and run with
// `ecli run target/wasm32-wasi/release/netmix.wasm`.
// Generated once by `ecc gen-wasm-skel --rust` (kept unless --force): edit freely.
#[path = "netmix_skel.rs"]
mod skel;

const NAME: &str = "netmix";

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
        let fd = s.maps.samples;
        let r = s.poll(fd, 100, |data: &[u8]| {
            if let Some(e) = skel::from_bytes::<skel::nm_flow_stats>(data) {
                println!("{}", skel::hex(skel::as_bytes(&e)));
            }
            0
        });
        if let Err(e) = r {
            eprintln!("{}: polling failed: {}", NAME, e);
            break;
        }
    }
    s.destroy();
}
