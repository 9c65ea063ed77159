"""Markdown and plain-text lines of suite gpu's parts fast and sweep (stdlib only)."""

from __future__ import annotations

from .tables import ratio, table


def _figure(summary: dict, key: str, digits: int = 0) -> str:
    s = summary.get(key)
    if s is None:
        return "—"
    return f"{s['median']:.{digits}f} ({s['min']:.{digits}f}–{s['max']:.{digits}f})"


def fast_table(part: dict, who) -> str:
    """Host µs, GPU µs and wall µs per step of each contestant; set-up (capture) apart."""
    rows = []
    for name, s in part["summary"].items():
        extra = part["rounds"][name][0]
        built = extra.get("capture_seconds") or extra.get("compile_seconds")
        if isinstance(built, dict):
            built = ", ".join(f"K={k}: {v:.2f} s" for k, v in built.items())
        elif built is not None:
            built = f"{built:.2f} s"
        rows.append(
            [
                who(name),
                _figure(s, "host_us"),
                _figure(s, "gpu_us"),
                _figure(s, "wall_us"),
                ratio(part["wall_ratio_to_torch_manual"].get(name)),
                _figure(s, "setup_s", 2),
                built or "—",
            ]
        )
    headers = ["contestant", "host µs", "GPU µs (CUDA events)", "wall µs", "wall × torch manual"]
    headers += ["set-up s", "capture / compile (first round)"]
    clocks = part.get("clocks", {})
    return (
        f"Steps 1..{part['steps']} of a fresh run, per step, median (min–max) of"
        f" {len(next(iter(part['rounds'].values())))} interleaved rounds; GPU clocks before"
        f" {clocks.get('before')}, after {clocks.get('after')}.\n\n" + table(headers, rows)
    )


def sweep_table(part: dict, who) -> str:
    rows = []
    for size, s in part["sizes"].items():
        if "skipped" in s:
            rows.append([size, s["skipped"], "", "", ""])
            continue
        for name, t in s["summary"].items():
            rows.append(
                [
                    size,
                    who(name),
                    f"{t['median']:.0f} ({t['min']:.0f}–{t['max']:.0f})",
                    ratio(s["ratio_to_xpnet_cpu"].get(name)),
                    ratio(s["ratio_to_torch_manual"].get(name)),
                ]
            )
    headers = ["batch x hidden", "contestant", "µs per step", "× one CPU core", "× torch manual"]
    return table(headers, rows)


def fast_line(part: dict) -> str:
    return "host | GPU | wall µs/step: " + "; ".join(
        f"{n} {s.get('host_us', {}).get('median', 0):.0f} | "
        f"{(s.get('gpu_us') or {}).get('median', float('nan')):.0f} | "
        f"{s.get('wall_us', {}).get('median', 0):.0f}"
        for n, s in part["summary"].items()
    )


def sweep_line(part: dict) -> str:
    bits = []
    for size, s in part["sizes"].items():
        if "skipped" in s:
            bits.append(f"{size} skipped")
            continue
        best = min(
            (n for n in s["summary"] if n.startswith("xpnet") and n != "xpnet-cpu"),
            key=lambda n: s["summary"][n]["median"],
            default=None,
        )
        if best is not None:
            bits.append(f"{size} {best} {ratio(s['ratio_to_xpnet_cpu'].get(best))} of one core")
    return "size sweep: " + "; ".join(bits)
