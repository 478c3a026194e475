// A Rust guest for examples/sigsnoop on the generated module: options into
// .rodata before load, typed events out of the perf buffer, JSON lines.
// Built by the tests with Debian's rustc for wasm32-wasi (no crates).
#[path = "sigsnoop_skel.rs"]
mod skel;

fn comm(bytes: &[u8]) -> String {
    let end = bytes.iter().position(|&b| b == 0).unwrap_or(bytes.len());
    bytes[..end].iter().map(|&b| if b < 0x80 && b >= 0x20 && b != b'"' && b != b'\\' { b as char } else { '?' }).collect()
}

fn main() {
    let mut s = skel::Skel::open();
    let args: Vec<String> = std::env::args().collect();
    let mut i = 1;
    while i < args.len() {
        match args[i].as_str() {
            "-x" | "--failed" => s.rodata().failed_only = 1,
            "-p" | "--pid" if i + 1 < args.len() => {
                i += 1;
                s.rodata().filtered_pid = args[i].parse().unwrap_or_else(|_| {
                    eprintln!("sigsnoop: invalid pid '{}'", args[i]);
                    std::process::exit(2)
                });
            }
            "-h" | "--help" => {
                println!("usage: sigsnoop [-p PID] [-x]");
                return;
            }
            other => {
                eprintln!("sigsnoop: unknown option '{}'", other);
                std::process::exit(2);
            }
        }
        i += 1;
    }
    // Programs by name and as fields, as in libbpf's skeleton.
    if s.prog("sig_trace").map(|p| p.sec) != Some("tracepoint/signal/signal_generate") || !s.progs.sig_trace.autoload() {
        eprintln!("sigsnoop: the skeleton has no program sig_trace");
        std::process::exit(3);
    }
    if let Err(e) = s.load().and_then(|_| s.attach()) {
        eprintln!("sigsnoop: cannot load or attach: {}", e);
        std::process::exit(1);
    }
    let fd = s.maps.events;
    loop {
        let r = s.poll(fd, 100, |data| {
            if let Some(e) = skel::from_bytes::<skel::event>(data) {
                println!("{{\"pid\":{},\"tpid\":{},\"sig\":{},\"ret\":{},\"comm\":\"{}\"}}", e.pid, e.tpid, e.sig, e.ret, comm(&e.comm));
            }
            0
        });
        if let Err(e) = r {
            eprintln!("sigsnoop: poll failed: {}", e);
            std::process::exit(1);
        }
    }
}
