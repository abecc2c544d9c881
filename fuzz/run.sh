#!/usr/bin/env bash
# Fuzzes one target of fuzz/fuzz_targets with cargo-fuzz on the stable toolchain.
#   fuzz/run.sh [parse_bounce|parse_reply|parse_webhook] [seconds]   (defaults: parse_bounce, 300)
# Seeds (copied afresh on each run into fuzz/corpus/<target>/ as seed-*, never committed):
#   parse_bounce: ../shared/corpus/emails (when present), tests/data/bounces, examples/bounces;
#   parse_reply:  the "text" and "dsn_diagnostic_code" of ../shared/corpus/replies.jsonl (when
#                 present), one file a line of examples/replies.txt;
#   parse_webhook: the payloads of tests/data/webhooks/*.json, a provider byte (none) first;
#   both: tests/data/fuzz/<target>-* (the committed regression inputs).
# Inputs the fuzzer finds stay in fuzz/corpus/<target>/ (FRESH=1 starts from the seeds alone);
# crashes go to fuzz/artifacts/<target>/. Needs `cargo install cargo-fuzz --locked` and a C++
# compiler (libfuzzer-sys builds libFuzzer). Stable Rust: no ASan (`-Zsanitizer` is nightly
# only), so `--sanitizer none`; `-O` with the checks set in fuzz/Cargo.toml's profile.
# Extra libFuzzer flags: FUZZ_ARGS="-dict=… -only_ascii=1" fuzz/run.sh parse_reply 60
set -euo pipefail

target="${1:-parse_bounce}"
seconds="${2:-300}"
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(dirname "$here")"
shared="$root/../shared/corpus"
corpus="$here/corpus/$target"

case "$target" in
    parse_bounce) max_len=262144 ;;
    parse_reply) max_len=70000 ;;
    parse_webhook) max_len=65536 ;;
    *) echo "unknown target $target (parse_bounce, parse_reply or parse_webhook)" >&2; exit 2 ;;
esac

if [[ "${FRESH:-0}" == 1 ]]; then rm -rf "$corpus"; fi
mkdir -p "$corpus" "$here/artifacts/$target"
find "$corpus" -maxdepth 1 -name 'seed-*' -delete

copy_dir() { # copy_dir PREFIX DIR: every file of DIR as seed-PREFIX-NAME
    local prefix="$1" dir="$2" f
    [[ -d "$dir" ]] || return 0
    for f in "$dir"/*; do
        [[ -f "$f" ]] && cp "$f" "$corpus/seed-$prefix-$(basename "$f")"
    done
    return 0
}

split_lines() { # split_lines PREFIX FILE: one seed per non-empty line
    local prefix="$1" file="$2" n=0 line
    [[ -f "$file" ]] || return 0
    while IFS= read -r line || [[ -n "$line" ]]; do
        n=$((n + 1))
        [[ -n "$line" ]] && printf '%s' "$line" > "$corpus/seed-$prefix-$n"
    done < "$file"
}

if [[ "$target" == parse_webhook ]]; then
    python3 - "$root/tests/data/webhooks" "$corpus" <<'PY'
import json, sys, pathlib
out = pathlib.Path(sys.argv[2])
for f in sorted(pathlib.Path(sys.argv[1]).glob("*.json")):
    payload = json.loads(f.read_text(encoding="utf-8"))["payload"]
    (out / f"seed-webhooks-{f.stem}").write_bytes(b"\x00" + json.dumps(payload).encode())
PY
elif [[ "$target" == parse_bounce ]]; then
    copy_dir emails "$shared/emails"
    copy_dir tests "$root/tests/data/bounces"
    copy_dir examples "$root/examples/bounces"
else
    if [[ -f "$shared/replies.jsonl" ]]; then
        python3 - "$shared/replies.jsonl" "$corpus" <<'PY'
import json, sys, pathlib
out = pathlib.Path(sys.argv[2])
seen = set()
for n, line in enumerate(open(sys.argv[1], encoding="utf-8")):
    row = json.loads(line)
    for key in ("text", "dsn_diagnostic_code"):
        text = row.get(key) or ""
        if text and text not in seen:
            seen.add(text)
            (out / f"seed-replies-{n}-{key}").write_text(text, encoding="utf-8")
PY
    fi
    split_lines examples "$root/examples/replies.txt"
fi
for f in "$root"/tests/data/fuzz/"$target"-*; do
    [[ -f "$f" ]] && cp "$f" "$corpus/seed-regression-$(basename "$f")"
done
echo "$target: $(find "$corpus" -maxdepth 1 -name 'seed-*' | wc -l) seeds, $(find "$corpus" -maxdepth 1 -type f | wc -l) inputs in $corpus" >&2

cd "$root"
# One process (no -fork / -jobs): the machine is shared.
# shellcheck disable=SC2086
exec cargo fuzz run -O --sanitizer none "$target" "$corpus" -- \
    -max_len="$max_len" -timeout=10 -rss_limit_mb=4096 -max_total_time="$seconds" \
    -print_final_stats=1 -report_slow_units=2 ${FUZZ_ARGS:-}
