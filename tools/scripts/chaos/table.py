"""The chaos run's one summary table."""

CHECKS = ("verify", "check", "settled", "frames", "gaps", "agree")
COUNTS = ("daemon runs", "connections", "gap_records", "drops", "refused", "played", "frames",
          "missed_in_drops", "missed_at_restarts", "records", "calls")


def print_table(seed, duration, injected, results, failures):
    names = [r.node.name for r in results]
    width = max(len(c) for c in COUNTS + CHECKS) + 2
    line = lambda label, cells: print(label.ljust(width) +  # noqa: E731
                                      "".join(str(c).rjust(14) for c in cells))
    print()
    print("chaos run, seed %d, duration %d s" % (seed, duration))
    print()
    print("faults injected")
    for kind in sorted(injected):
        print("  %-40s %6d" % (kind, injected[kind]))
    print()
    line("", names)
    for key in COUNTS:
        line(key, [r.counts.get(key, "-") for r in results])
    ok = not failures
    for key in CHECKS:
        cells = []
        for r in results:
            if key not in r.results:
                cells.append("-")
                continue
            passed, _ = r.results[key]
            cells.append("pass" if passed else "FAIL")
            ok &= passed
        line(key, cells)
    print()
    for r in results:
        for key in CHECKS:
            if key in r.results and not r.results[key][0]:
                failures.append(("%s %s" % (r.node.name, key), r.results[key][1]))
    for step, what in failures:
        print("FAILED (seed %d) %s: %s" % (seed, step, what))
    print("result: %s" % ("every check passed" if ok else "FAILED"))
    return ok
