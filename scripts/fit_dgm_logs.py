#!/usr/bin/env python3
"""Fit hypercap's agentic-session model to DGM's Polyglot run logs (o3-mini task agent).

Usage: python3 scripts/fit_dgm_logs.py [DIR]
DIR defaults to data/dgm-polyglot-initial (the copy of jennyzzt/dgm's
initial_polyglot/ described in data/README.md). Reads DIR/predictions/initial_0/:
per task <task>.md (agent log, every LLM call printed as an OpenAI `Response(...)` object),
<task>.json, <task>_eval.md, <task>_eval.sh, <task>_docker.log.

Prints: the token totals (checked against the known figures), the per-task and per-call
distributions of the session model in docs/calibration.md, lognormal MLE fits next to the
plain moments, timings from created_at and the docker logs, artifact sizes, and a Monte Carlo
check of the fitted model. Standard library only; deterministic (fixed seed).

The cache hit rate comes twice: raw, over every previous input (0.410), and effective under
the 1,024-token rule hypercap's simulator applies (OpenAI caches prefixes of 1,024 tokens or
more, in steps of 128): the observed cached tokens per task over the cacheable prefix per task
at hit rate 1. That prefix is simulated by hypercap itself on data/scenarios/dgm-polyglot.json
as docs/calibration.md ("The preset") derives it, when a built hypercap is found ($HYPERCAP,
else build/hypercap next to this script's repository), and by this script's Monte Carlo of
variant D otherwise (and alongside, as a check).

Conventions: sd is the sample standard deviation (n - 1); cv = sd / mean. The lognormal MLE
uses mu = mean(ln x) and sigma = the population sd of ln x (n), reported as the mean
exp(mu + sigma^2 / 2) and cv sqrt(exp(sigma^2) - 1) that hypercap's lognormal takes.
"""
import datetime
import json
import math
import os
import random
import re
import statistics
import subprocess
import sys
import tempfile

KNOWN_TOTALS = {"calls": 255, "input": 410728, "cached": 122856, "output": 232566,
                "reasoning": 166592, "total": 643294}
SUFFIXES = (".md", ".json", "_eval.md", "_eval.sh", "_docker.log")
MC_TASKS = 100000
MC_SEED = 20260724
MC_MAX_CALLS = 1000          # DGM's chat_with_agent max_llm_calls default; no clamp in practice

RESPONSE_RE = re.compile(r"Response\(id='resp_[0-9a-f]+', created_at=([0-9.]+)")
MODEL_RE = re.compile(r"model='([^']*)', object='response'")
USAGE_RE = re.compile(
    r"usage=ResponseUsage\(input_tokens=(\d+), "
    r"input_tokens_details=InputTokensDetails\(cached_tokens=(\d+)\), output_tokens=(\d+), "
    r"output_tokens_details=OutputTokensDetails\(reasoning_tokens=(\d+)\), total_tokens=(\d+)\)")
TOOL_RE = re.compile(r"^Tool Used: (\S+)", re.M)
APIERR_RE = re.compile(r"^Error in get_response_withtools: (.{0,40})", re.M)
DOCKER_TS_RE = re.compile(r"^(\d{4}-\d\d-\d\d \d\d:\d\d:\d\d,\d{3}) - (\S+) - [A-Z]+ - (.*)$")


# ---------------------------------------------------------------- small statistics helpers

def mean(xs):
    return sum(xs) / len(xs) if xs else float("nan")


def sd(xs):
    return statistics.stdev(xs) if len(xs) > 1 else 0.0


def cv(xs):
    m = mean(xs)
    return sd(xs) / m if m else float("nan")


def median(xs):
    return statistics.median(xs) if xs else float("nan")


def lognormal_mle(xs):
    """mu, sigma (MLE) of ln x over x > 0; returns (mu, sigma, mean, cv, n_used)."""
    pos = [x for x in xs if x > 0]
    logs = [math.log(x) for x in pos]
    mu = mean(logs)
    sigma = statistics.pstdev(logs) if len(logs) > 1 else 0.0
    return mu, sigma, math.exp(mu + sigma * sigma / 2), math.sqrt(math.expm1(sigma * sigma)), len(pos)


def describe(name, xs, unit="", fit=True):
    """One line: n, mean, sd, cv, min, median, max, and the lognormal MLE next to it."""
    line = (f"  {name:<28} n={len(xs):<4} mean={mean(xs):10.2f} sd={sd(xs):10.2f} "
            f"cv={cv(xs):5.3f} min={min(xs):g} med={median(xs):g} max={max(xs):g}{unit}")
    print(line)
    if fit:
        mu, sigma, lm, lcv, n = lognormal_mle(xs)
        extra = "" if n == len(xs) else f" (over the {n} positive values)"
        print(f"  {'':<28} lognormal MLE: mu={mu:.4f} sigma={sigma:.4f} -> mean={lm:.2f} "
              f"cv={lcv:.3f}{extra}")


def lstsq(rows, ys):
    """Ordinary least squares by the normal equations (few regressors)."""
    n = len(rows[0])
    ata = [[sum(r[i] * r[j] for r in rows) for j in range(n)] for i in range(n)]
    aty = [sum(r[i] * y for r, y in zip(rows, ys)) for i in range(n)]
    for i in range(n):                       # Gauss-Jordan
        piv = ata[i][i]
        for j in range(n):
            ata[i][j] /= piv
        aty[i] /= piv
        for k in range(n):
            if k != i:
                f = ata[k][i]
                for j in range(n):
                    ata[k][j] -= f * ata[i][j]
                aty[k] -= f * aty[i]
    return aty


def hist(xs):
    counts = {}
    for x in xs:
        counts[x] = counts.get(x, 0) + 1
    return "  ".join(f"{k}:{counts[k]}" for k in sorted(counts))


def sample_lognormal(rng, m, c):
    """hypercap's lognormal (sim/rng.c): mean m, cv c."""
    if c == 0 or m <= 0:
        return m
    s2 = math.log1p(c * c)
    return rng.lognormvariate(math.log(m) - s2 / 2, math.sqrt(s2))


# ---------------------------------------------------------------- parsing

def parse_agent_log(path):
    """The calls of one task in log order, with the tool run after each and API errors."""
    text = open(path, encoding="utf-8", errors="replace").read()
    starts = [m.start() for m in RESPONSE_RE.finditer(text)]
    if text.count("Response(id='resp_") != len(starts) or \
            text.count("usage=ResponseUsage(") != len(starts):
        raise SystemExit(f"{path}: Response( and usage counts disagree")
    calls = []
    for j, pos in enumerate(starts):
        end = starts[j + 1] if j + 1 < len(starts) else len(text)
        seg = text[pos:end]
        u = USAGE_RE.search(seg)
        if not u:
            raise SystemExit(f"{path}: call {j + 1} has no parsable usage")
        inp, cached, out, reas, tot = (int(g) for g in u.groups())
        tool = TOOL_RE.search(seg)
        calls.append({
            "created_at": float(RESPONSE_RE.match(seg).group(1)),
            "model": (MODEL_RE.search(seg) or [None, "?"])[1],
            "input": inp, "cached": cached, "output": out, "reasoning": reas, "total": tot,
            "tool": tool.group(1) if tool else None,
            # API errors logged (and retried) before the next call was made
            "errors_after": len(APIERR_RE.findall(seg)),
            "has_message": "ResponseOutputMessage(" in seg.split("usage=ResponseUsage(")[0],
        })
    # errors before the first call
    head_errors = len(APIERR_RE.findall(text[:starts[0]])) if starts else 0
    return calls, head_errors


def parse_docker_log(path):
    """Phase timestamps (UTC seconds) of one task's container, from the harness log."""
    ev = []
    threads = set()
    with open(path, encoding="utf-8", errors="replace") as f:
        for line in f:
            m = DOCKER_TS_RE.match(line.rstrip("\n"))
            if not m:
                continue
            ts = datetime.datetime.strptime(m.group(1), "%Y-%m-%d %H:%M:%S,%f")
            ts = ts.replace(tzinfo=datetime.timezone.utc).timestamp()
            ev.append((ts, m.group(3)))
            threads.add(m.group(2))
    ph = {"first": ev[0][0], "last": ev[-1][0], "threads": threads}

    def at(prefix, after=None):
        for i, (t, msg) in enumerate(ev):
            if msg.startswith(prefix):
                return i, t
        return None, None

    i_inst, ph["install"] = at("Installing more requirements")
    i_agent, ph["agent_start"] = at("Running the agent")
    ph["agent_end"] = ev[i_agent + 1][0] if i_agent is not None else None
    _, ph["copy_back"] = at("Copying output files back")
    i_eval, ph["eval_start"] = at("Running the eval")
    i_stop, ph["stop"] = at("Attempting to stop container")
    _, ph["remove"] = at("Attempting to remove container")
    ph["removed"] = ev[-1][0]
    ph["patch_end"] = ph["eval_start"] if ph["eval_start"] is not None else ph["stop"]
    # The test command's output is logged when eval.sh returns: the line before the stop.
    ph["test_end"] = ph["test_start"] = None
    if i_eval is not None and i_stop is not None and i_stop - 2 > i_eval:
        ph["test_end"] = ev[i_stop - 1][0]
        ph["test_start"] = ev[i_stop - 2][0]
    return ph


def load(directory):
    pred = os.path.join(directory, "predictions", "initial_0")
    if not os.path.isdir(pred):
        raise SystemExit(f"no predictions/initial_0 under {directory}")
    names = sorted(f[:-3] for f in os.listdir(pred)
                   if f.endswith(".md") and not f.endswith("_eval.md"))
    tasks = []
    for name in names:
        calls, head_err = parse_agent_log(os.path.join(pred, name + ".md"))
        pj = json.load(open(os.path.join(pred, name + ".json"), encoding="utf-8"))
        files = {s: os.path.join(pred, name + s) for s in SUFFIXES}
        sizes = {s: os.path.getsize(p) for s, p in files.items() if os.path.exists(p)}
        dock = parse_docker_log(files["_docker.log"]) if "_docker.log" in sizes else None
        tasks.append({"name": name, "calls": calls, "head_errors": head_err, "json": pj,
                      "sizes": sizes, "docker": dock,
                      "patch_bytes": len(pj.get("model_patch", "").encode("utf-8"))})
    return pred, tasks


def subsets(directory):
    """Task lists of small.json and medium.json if they sit next to the data set."""
    out = {}
    for name in ("small", "medium"):
        for cand in (os.path.join(directory, "..", "dgm-polyglot-subsets", name + ".json"),
                     os.path.join(directory, "..", "subsets", name + ".json"),
                     os.path.join(directory, "subsets", name + ".json")):
            if os.path.exists(cand):
                out[name] = json.load(open(cand, encoding="utf-8"))
                break
    return out


# ---------------------------------------------------------------- Monte Carlo

def draw_k(rng, p):
    if p["K"][0] == "empirical":
        return rng.choice(p["K"][1])
    return max(1, min(p["max_calls"], int(round(sample_lognormal(rng, p["K"][1], p["K"][2])))))


def k_moments(m, c, max_calls):
    """E[K], E[K(K-1)/2], E[(K-1)(K-2)/2] for K = clamp(round(lognormal(m, c)), 1, max_calls)."""
    s2 = math.log1p(c * c)
    mu, sg = math.log(m) - s2 / 2, math.sqrt(s2)

    def cdf(x):
        return 0.0 if x <= 0 else 0.5 * (1 + math.erf((math.log(x) - mu) / (sg * math.sqrt(2))))
    e1 = e2 = e3 = 0.0
    for k in range(1, max_calls + 1):
        lo = 0.0 if k == 1 else cdf(k - 0.5)
        hi = 1.0 if k == max_calls else cdf(k + 0.5)
        pk = hi - lo
        e1 += pk * k
        e2 += pk * k * (k - 1) / 2
        e3 += pk * (k - 1) * (k - 2) / 2
    return e1, e2, e3


def cacheable(x):
    """The prefix OpenAI's automatic caching can read of a previous input of x tokens, as
    hypercap's simulator applies it (docs/model.md, "Sessions"): nothing below 1,024 tokens,
    otherwise x rounded down to 1,024 + 128 k."""
    return 0.0 if x < 1024 else 128.0 * math.floor(x / 128)


def simulate(rng, n, p):
    """Per-task means of calls, input, cached, output, reasoning, total under the session model.

    K = clamp(round(draw), 1, max_calls); output_t drawn per call (optionally from a separate
    distribution for the last call); reasoning = rf x output; input_1 = prompt;
    input_{t+1} = input_t + (output_t - reasoning_t) + tool_result_t; cached_t = h x input_{t-1}
    for t > 1, 0 on call 1, or with p["rule"] h x cacheable(input_{t-1}), the simulator's
    1,024-token rule. "cacheable" is the mean per task of cacheable(input_{t-1}), t > 1: the
    cached tokens under the rule at h = 1 (no extra draws, so it leaves the streams alone).
    """
    s_in = s_c = s_out = s_r = s_k = s_tt = s_a = 0.0
    rule = p.get("rule", False)
    split = "output_final" in p
    for _ in range(n):
        before = s_in + s_out
        k = draw_k(rng, p)
        inp = sample_lognormal(rng, *p["prompt"])
        prev = None
        for t in range(k):
            final = t + 1 == k
            if final and split:
                out, rf = sample_lognormal(rng, *p["output_final"]), p["rf_final"]
            else:
                out, rf = sample_lognormal(rng, *p["output"]), p["rf"]
            s_in += inp
            s_out += out
            s_r += rf * out
            if prev is not None:
                s_a += cacheable(prev)
                s_c += p["h"] * (cacheable(prev) if rule else prev)
            prev = inp
            if not final:
                inp = inp + out * (1 - rf) + sample_lognormal(rng, *p["tool"])
        s_k += k
        s_tt += (s_in + s_out - before) ** 2
    m_t = (s_in + s_out) / n
    return {"calls": s_k / n, "input": s_in / n, "cached": s_c / n, "output": s_out / n,
            "reasoning": s_r / n, "total": m_t, "cacheable": s_a / n,
            "total_cv": math.sqrt(max(s_tt / n - m_t * m_t, 0.0)) / m_t}


def simulator_hit_rate(observed_cached):
    """The effective hit rate under the 1,024-token rule as docs/calibration.md derives the
    preset's: hypercap simulates the initial evaluation of dgm-polyglot.json at hit rate 1
    (--iterations 0 --runs 200 --seed 1), whose cached tokens per task are the cacheable prefix
    per task; the rate is the observed cached tokens per task over it. None without a built
    hypercap."""
    root = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..")
    exe = os.environ.get("HYPERCAP") or os.path.join(root, "build", "hypercap")
    scenario = os.path.join(root, "data", "scenarios", "dgm-polyglot.json")
    if not (os.access(exe, os.X_OK) and os.path.exists(scenario)):
        return None
    sc = json.load(open(scenario, encoding="utf-8"))
    dom = sc["domains"][0]
    runs = 200
    with tempfile.TemporaryDirectory() as out:
        cmd = [exe, "simulate", scenario, "--set", f"domains.{dom['name']}.task.cache_hit_rate=1",
               "--iterations", "0", "--runs", str(runs), "--seed", "1", "--out", out]
        r = subprocess.run(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
        if r.returncode != 0:
            print(f"  (hypercap failed: {r.stderr.strip()})")
            return None
        summ = json.load(open(os.path.join(out, "summary.json"), encoding="utf-8"))
    cached = summ["tokens"]["cache_read"]
    tasks = dom["full_tasks"]
    print(f"  hypercap on {os.path.relpath(scenario, root)}, cache_hit_rate 1, the initial "
          f"evaluation only ({runs} replications, seed 1): cacheable prefix {cached:,.1f} over "
          f"{tasks} tasks = {cached / tasks:.1f} per task; effective h = "
          f"{observed_cached:.1f} / {cached / tasks:.1f} = {observed_cached * tasks / cached:.4f}")
    return observed_cached * tasks / cached


# ---------------------------------------------------------------- report

def main():
    here = os.path.dirname(os.path.abspath(__file__))
    directory = sys.argv[1] if len(sys.argv) > 1 else os.path.join(
        here, "..", "data", "dgm-polyglot-initial")
    pred, tasks = load(directory)
    print(f"# DGM Polyglot initial agent (o3-mini): {pred}")
    print(f"tasks: {len(tasks)}")
    sub = subsets(directory)
    if sub:
        u = set(sub.get("small", [])) | set(sub.get("medium", []))
        have = {t["name"] for t in tasks}
        print(f"subsets: small={len(sub.get('small', []))} medium={len(sub.get('medium', []))} "
              f"union={len(u)}; union == tasks here: {u == have}")

    # ---- totals
    allc = [c for t in tasks for c in t["calls"]]
    tot = {"calls": len(allc)}
    for k in ("input", "cached", "output", "reasoning", "total"):
        tot[k] = sum(c[k] for c in allc)
    print("\n## Totals (OpenAI convention: input includes cached, output includes reasoning)")
    for k, v in tot.items():
        ok = "OK" if v == KNOWN_TOTALS[k] else f"MISMATCH (expected {KNOWN_TOTALS[k]:,})"
        print(f"  {k:<10} {v:>10,}  {ok}")
    print(f"  input + output == total on every call: "
          f"{all(c['input'] + c['output'] == c['total'] for c in allc)}")
    models = sorted({c["model"] for c in allc})
    print(f"  models: {models}")
    n_err = sum(c["errors_after"] for c in allc) + sum(t["head_errors"] for t in tasks)
    err_tasks = sum(1 for t in tasks if t["head_errors"] or any(c["errors_after"] for c in t["calls"]))
    print(f"  API errors logged and retried (HTTP 500): {n_err} in {err_tasks} tasks "
          f"(no usage recorded for them)")
    zero = [t for t in tasks if any(c["total"] == 0 for c in t["calls"])]
    print(f"  calls with all-zero usage: {sum(1 for c in allc if c['total'] == 0)} "
          f"(tasks: {', '.join(t['name'] for t in zero)}; malformed tool call, session ended, "
          f"eval_result={[t['json'].get('eval_result') for t in zero]})")
    msg = sum(1 for c in allc if c["has_message"])
    no_tool = sum(1 for c in allc if c["tool"] is None)
    print(f"  calls ending in a text message: {msg}; calls without an executed tool: {no_tool} "
          f"(every other session ends right after its last tool result)")
    results = {}
    for t in tasks:
        r = t["json"].get("eval_result")
        results[r] = results.get(r, 0) + 1
    print(f"  eval_result: {results}")

    # Normal tasks: every call has non-zero usage. Fits use these.
    good = [t for t in tasks if t not in zero]
    gc = [c for t in good for c in t["calls"]]
    print(f"\nFits below use the {len(good)} tasks whose calls all have usage "
          f"({len(gc)} calls); the {len(zero)} zero-usage tasks are reported apart.")

    # ---- calls per task
    print("\n## Calls per task K")
    k_all = [len(t["calls"]) for t in tasks]
    k_good = [len(t["calls"]) for t in good]
    describe("K (all tasks)", k_all, fit=False)
    describe("K (usage tasks)", k_good)
    print(f"  histogram (all tasks)   {hist(k_all)}")

    # ---- prompt tokens
    print("\n## Per-call quantities")
    prompt = [t["calls"][0]["input"] for t in good]
    describe("prompt_tokens (call 1 in)", prompt)
    c1_cached = [t["calls"][0]["cached"] for t in tasks]
    print(f"  cached tokens on call 1: sum={sum(c1_cached)} nonzero={sum(1 for x in c1_cached if x)}")

    # ---- output
    outs = [c["output"] for c in gc]
    reas = [c["reasoning"] for c in gc]
    vis = [c["output"] - c["reasoning"] for c in gc]
    describe("output_tokens per call", outs)
    describe("visible output per call", vis)
    describe("reasoning per call", reas, fit=False)
    top = sorted(outs, reverse=True)[:5]
    print(f"  largest outputs: {top}; largest reasoning: {sorted(reas, reverse=True)[:5]}")
    print(f"  reasoning counts are multiples of 64: {all(r % 64 == 0 for r in reas)}; "
          f"calls with reasoning == 0: {sum(1 for r in reas if r == 0)}")
    print(f"  cap: max_output_tokens=None on every call (no cap set); outputs >= 4096: "
          f"{sum(1 for o in outs if o >= 4096)}; reasoning == 4096: {sum(1 for r in reas if r == 4096)}")
    rf = sum(reas) / sum(outs)
    print(f"  reasoning_fraction = sum(reasoning)/sum(output) = {sum(reas)}/{sum(outs)} = {rf:.4f}"
          f" (mean of per-call fractions {mean([r / o for r, o in zip(reas, outs)]):.4f})")

    # ---- tool results
    tr, tr_full = [], []
    for t in good:
        cs = t["calls"]
        for a, b in zip(cs, cs[1:]):
            tr.append(b["input"] - a["input"] - (a["output"] - a["reasoning"]))
            tr_full.append(b["input"] - a["input"] - a["output"])
    neg = sum(1 for x in tr if x < 0)
    print(f"  tool_result_t = in_(t+1) - in_t - visible_out_t over {len(tr)} transitions:")
    describe("tool_result_tokens", tr)
    print(f"  negatives: {neg} (context never shrank: no truncation or summarising). If "
          f"reasoning were carried (in_(t+1) - in_t - out_t) there would be "
          f"{sum(1 for x in tr_full if x < 0)} negatives, down to {min(tr_full)}.")
    tr_by_tool = {}
    for t in good:
        for a, b in zip(t["calls"], t["calls"][1:]):
            tr_by_tool.setdefault(a["tool"], []).append(
                b["input"] - a["input"] - (a["output"] - a["reasoning"]))
    for k, v in sorted(tr_by_tool.items(), key=lambda kv: str(kv[0])):
        print(f"    after {k}: n={len(v)} mean={mean(v):.1f} median={median(v):g} max={max(v)}")

    # ---- caching
    num = den = 0
    num_el = den_el = 0
    hits = 0
    trans = 0
    over = 0
    for t in good:
        cs = t["calls"]
        for a, b in zip(cs, cs[1:]):
            num += b["cached"]
            den += a["input"]
            trans += 1
            hits += b["cached"] > 0
            over += b["cached"] > a["input"]
            if a["input"] >= 1024:
                num_el += b["cached"]
                den_el += a["input"]
    h = num / den
    print(f"\n## Prompt caching (automatic)")
    print(f"  cache_hit_rate = sum(cached_t)/sum(in_(t-1)), t>1 = {num}/{den} = {h:.4f}")
    print(f"  calls t>1 with cached>0: {hits}/{trans}; cached_t > in_(t-1): {over}")
    nz = [c["cached"] for c in gc if c["cached"]]
    print(f"  nonzero cached values are 958 + 128 k: {all((x - 958) % 128 == 0 for x in nz)}; "
          f"min {min(nz)}, i.e. nothing is cached below a prefix of about 1,000 tokens")
    print(f"  over prefixes eligible for caching (in_(t-1) >= 1024): {num_el}/{den_el} = "
          f"{num_el / den_el:.4f}; share of cached tokens over all input: "
          f"{tot['cached'] / tot['input']:.4f}")

    # ---- per-task totals
    print("\n## Per-task totals (usage tasks)")
    per = {k: [sum(c[k] for c in t["calls"]) for t in good]
           for k in ("input", "cached", "output", "reasoning", "total")}
    for k, v in per.items():
        describe(f"task {k}", v, fit=(k != "cached"))
    obs_all = {k: sum(c[k] for c in allc) / len(tasks) for k in ("input", "cached", "output", "total")}
    print(f"  means over all {len(tasks)} tasks (zero-usage ones count as 0): "
          + ", ".join(f"{k}={v:.1f}" for k, v in obs_all.items()))

    # ---- timing
    print("\n## Timing")
    gaps, gaps_clean, gaps_edit = [], [], []
    xy = []
    spans = []
    for t in tasks:
        cs = t["calls"]
        if len(cs) > 1:
            spans.append(cs[-1]["created_at"] - cs[0]["created_at"])
        for a, b in zip(cs, cs[1:]):
            g = b["created_at"] - a["created_at"]
            gaps.append(g)
            if a["errors_after"] == 0:
                gaps_clean.append(g)
                if a["tool"] == "editor":
                    gaps_edit.append(g)
                    xy.append((a["output"], g))
    print("  created_at has 1 s resolution; a gap = the call's latency + its tool run "
          "(+ retries after HTTP 500).")
    print(f"  gaps, all: n={len(gaps)} median={median(gaps):.1f} s mean={mean(gaps):.2f} s "
          f"max={max(gaps):.0f} s")
    print(f"  gaps without a retried API error: n={len(gaps_clean)} median={median(gaps_clean):.1f}"
          f" s mean={mean(gaps_clean):.2f} s")
    print(f"  gaps after an editor call (tool time ~0, so ~ LLM latency): n={len(gaps_edit)} "
          f"median={median(gaps_edit):.1f} s mean={mean(gaps_edit):.2f} s cv={cv(gaps_edit):.3f}")
    mx = mean([x for x, _ in xy])
    my = mean([y for _, y in xy])
    sxx = sum((x - mx) ** 2 for x, _ in xy)
    sxy = sum((x - mx) * (y - my) for x, y in xy)
    b = sxy / sxx
    a0 = my - b * mx
    print(f"  least squares on those: latency = {a0:.2f} s + output_tokens / {1 / b:.0f} tok/s "
          f"(mean output {mx:.0f} tokens)")
    xyz = [(a["output"], a["input"], b2["created_at"] - a["created_at"])
           for t in tasks for a, b2 in zip(t["calls"], t["calls"][1:])
           if a["errors_after"] == 0 and a["tool"] == "editor"]
    c3 = lstsq([(1.0, o, i) for o, i, _ in xyz], [g for _, _, g in xyz])
    print(f"  with input as a second regressor: latency = {c3[0]:.2f} s + out x {c3[1]:.5f} "
          f"+ in x {c3[2]:.6f} (input range {min(i for _, i, _ in xyz)}.."
          f"{max(i for _, i, _ in xyz)} tokens)")
    bash_res = [b2["created_at"] - a["created_at"] - (a0 + b * a["output"])
                for t in tasks for a, b2 in zip(t["calls"], t["calls"][1:])
                if a["errors_after"] == 0 and a["tool"] == "bash"]
    print(f"  gaps after a bash call minus the latency line (~ tool seconds): n={len(bash_res)} "
          f"mean={mean(bash_res):.1f} s median={median(bash_res):.1f} s; editor tools take ~0 s")
    timing = {"lat_a": a0, "lat_tps": 1 / b, "gap_edit_med": median(gaps_edit),
              "gap_edit_mean": mean(gaps_edit), "bash_tool_mean": mean(bash_res),
              "n_bash": len(bash_res), "n_edit": len(gaps_edit)}
    print(f"  first-to-last created_at per task (K>1): n={len(spans)} mean={mean(spans):.1f} s "
          f"median={median(spans):.1f} s max={max(spans):.0f} s")

    ph = [t["docker"] for t in tasks if t["docker"]]
    print(f"  docker logs: {len(ph)}; timestamps read as UTC (checked against created_at below)")

    def phase(name, key_a, key_b, note=""):
        xs = [p[key_b] - p[key_a] for p in ph if p.get(key_a) is not None and p.get(key_b) is not None]
        print(f"  {name:<42} n={len(xs):<3} mean={mean(xs):7.1f} median={median(xs):7.1f} "
              f"min={min(xs):6.1f} max={max(xs):7.1f} s{note}")
        return xs

    phase("container create + copy agent", "first", "install")
    phase("pip install agent requirements", "install", "agent_start")
    agent = phase("agent run", "agent_start", "agent_end")
    phase("copy back + get model_patch", "copy_back", "patch_end")
    evalp = phase("eval (copy eval.sh .. tests done)", "eval_start", "stop")
    test = phase("  of which the test command", "test_start", "test_end")
    phase("stop container", "stop", "remove")
    phase("remove container", "remove", "removed")
    life = phase("container lifetime (first..last line)", "first", "removed")
    non_agent = [p["removed"] - p["first"] - (p["agent_end"] - p["agent_start"]) for p in ph]
    print(f"  {'lifetime minus agent run':<42} n={len(non_agent):<3} mean={mean(non_agent):7.1f} "
          f"median={median(non_agent):7.1f} s")
    describe("eval phase (s)", evalp)
    describe("lifetime minus agent run (s)", non_agent)
    by_lang = {}
    for t in tasks:
        p = t["docker"]
        if p and p["test_end"] is not None:
            by_lang.setdefault(t["name"].split("__")[0], []).append(p["test_end"] - p["test_start"])
    print("  test command by language: " + "; ".join(
        f"{k} n={len(v)} mean={mean(v):.1f} s" for k, v in sorted(by_lang.items())))
    off1 = [t["calls"][0]["created_at"] - t["docker"]["agent_start"] for t in tasks if t["docker"]]
    off2 = [t["docker"]["agent_end"] - t["calls"][-1]["created_at"] for t in tasks if t["docker"]]
    print(f"  agent start -> first created_at: min={min(off1):.1f} median={median(off1):.1f} "
          f"max={max(off1):.1f} s; last created_at -> agent end: min={min(off2):.1f} "
          f"median={median(off2):.1f} max={max(off2):.1f} s (all >= 0: UTC alignment holds: "
          f"{min(off1) >= -1 and min(off2) >= -1})")
    tail = sorted(t["docker"]["agent_end"] - t["calls"][-1]["created_at"]
                  - (timing["lat_a"] + t["calls"][-1]["output"] / timing["lat_tps"])
                  for t in good if t["docker"])
    print(f"  after the last logged call's predicted latency the agent process runs on for: "
          f"median={median(tail):.1f} s, quartiles {tail[len(tail) // 4]:.1f}.."
          f"{tail[3 * len(tail) // 4]:.1f} s (usage tasks; the 2 zero-usage tasks: "
          + ", ".join(f"{t['docker']['agent_end'] - t['calls'][-1]['created_at']:.0f} s"
                      for t in zero) + " after their only call, with nothing logged)")
    # concurrency among these tasks (the run had 225; these are 59 of them)
    threads = set().union(*(p["threads"] for p in ph))
    evs = sorted([(p["first"], 1) for p in ph] + [(p["removed"], -1) for p in ph])
    cur = peak = 0
    for _, d in evs:
        cur += d
        peak = max(peak, cur)
    print(f"  harness worker threads seen: {len(threads)}; peak overlap of these {len(ph)} "
          f"containers: {peak}; span {min(p['first'] for p in ph):.0f}.."
          f"{max(p['removed'] for p in ph):.0f} = "
          f"{(max(p['removed'] for p in ph) - min(p['first'] for p in ph)) / 60:.1f} min")

    # ---- artifacts
    print("\n## Artifacts")
    art = [sum(t["sizes"].values()) for t in tasks]
    print(f"  bytes per task (sum of the task's files): mean={mean(art):.0f} median={median(art):.0f} "
          f"max={max(art)} min={min(art)} total={sum(art)}")
    print(f"  tasks with all 5 files: {sum(1 for t in tasks if len(t['sizes']) == 5)}; "
          f"missing: {[t['name'] for t in tasks if len(t['sizes']) < 5]}")
    for s in SUFFIXES:
        v = [t["sizes"][s] for t in tasks if s in t["sizes"]]
        print(f"    {s:<12} n={len(v)} mean={mean(v):8.0f} median={median(v):8.0f} max={max(v)}")
    describe("artifact bytes per task", art, fit=True)
    pb = [t["patch_bytes"] for t in tasks]
    print(f"  model_patch bytes (UTF-8): mean={mean(pb):.0f} median={median(pb):.0f} max={max(pb)} "
          f"empty={sum(1 for x in pb if x == 0)}")

    # ---- Monte Carlo
    print(f"\n## Monte Carlo check ({MC_TASKS} tasks, seed {MC_SEED}, K = clamp(round(x), 1, "
          f"{MC_MAX_CALLS}); every other quantity a continuous lognormal)")
    obs = {k: mean(per[k]) for k in ("input", "cached", "output", "total")}
    obs["calls"] = mean(k_good)
    print(f"  observed per-task means ({len(good)} usage tasks): "
          + ", ".join(f"{k}={v:.1f}" for k, v in obs.items()))

    def mle(xs):
        return lognormal_mle(xs)[2:4]

    def mom(xs):
        return mean(xs), cv(xs)

    base = {"max_calls": MC_MAX_CALLS, "rf": rf, "h": h}
    variants = [
        ("A. lognormal MLE fits", dict(base, K=("lognormal",) + mle(k_good), prompt=mle(prompt),
                                        output=mle(outs), tool=mle(tr))),
        ("B. lognormal moment fits", dict(base, K=("lognormal",) + mom(k_good), prompt=mom(prompt),
                                           output=mom(outs), tool=mom(tr))),
        ("C. empirical K + moment fits", dict(base, K=("empirical", k_good), prompt=mom(prompt),
                                               output=mom(outs), tool=mom(tr))),
    ]
    # D: the current model with effective parameters chosen so the means match.
    e1, e2, e3 = k_moments(mean(k_good), cv(k_good), MC_MAX_CALLS)
    vis_mean = (1 - rf) * mean(outs)
    r_eff = (obs["input"] - e1 * mean(prompt)) / e2 - vis_mean
    prev_in = (e1 - 1) * mean(prompt) + e3 * (vis_mean + r_eff)
    h_eff = obs["cached"] / prev_in
    variants.append(("D. B with effective tool_result and cache_hit_rate", dict(
        base, K=("lognormal",) + mom(k_good), prompt=mom(prompt), output=mom(outs),
        tool=(r_eff, cv(tr)), h=h_eff)))
    # E: a last-call output distribution of its own (a model extension, not in hypercap yet).
    nf = [c for t in good for c in t["calls"][:-1]]
    fi = [t["calls"][-1] for t in good]
    rf_nf = sum(c["reasoning"] for c in nf) / sum(c["output"] for c in nf)
    rf_fi = sum(c["reasoning"] for c in fi) / sum(c["output"] for c in fi)
    h_all = sum(per["cached"]) / den
    variants.append(("E. separate last-call output (extension)", dict(
        base, K=("lognormal",) + mom(k_good), prompt=mom(prompt),
        output=mom([c["output"] for c in nf]), rf=rf_nf,
        output_final=mom([c["output"] for c in fi]), rf_final=rf_fi, tool=mom(tr), h=h_all)))
    print(f"  K moments of the lognormal(mean {mean(k_good):.3f}, cv {cv(k_good):.3f}) with rounding: "
          f"E[K]={e1:.3f} E[K(K-1)/2]={e2:.3f} (data {mean([k * (k - 1) / 2 for k in k_good]):.3f})")
    print(f"  independent draws give E[input] = E[K] P + E[K(K-1)/2] (v + r), with v = (1 - rf) "
          f"E[out] = {vis_mean:.1f} and r = {mean(tr):.1f}: "
          f"{e1 * mean(prompt) + e2 * (vis_mean + mean(tr)):.1f}")
    print(f"  effective r for D: ({obs['input']:.1f} - {e1:.3f} x {mean(prompt):.1f}) / {e2:.3f} - "
          f"{vis_mean:.1f} = {r_eff:.1f}; effective h (raw, every previous input cacheable): "
          f"{obs['cached']:.1f} / {prev_in:.1f} = {h_eff:.4f}")
    print(f"  E uses: non-final output mean {mean([c['output'] for c in nf]):.1f} cv "
          f"{cv([c['output'] for c in nf]):.3f} rf {rf_nf:.4f}; last-call output mean "
          f"{mean([c['output'] for c in fi]):.1f} cv {cv([c['output'] for c in fi]):.3f} rf "
          f"{rf_fi:.4f}; h = all cached / sum in_(t-1) = {h_all:.4f}")
    results = {}
    for name, p in variants:
        sim = simulate(random.Random(MC_SEED), MC_TASKS, p)
        results[name[0]] = sim
        print(f"  {name}")
        kd = "empirical" if p["K"][0] == "empirical" else f"{p['K'][1]:.3f}/{p['K'][2]:.3f}"
        print(f"    K {kd}; prompt {p['prompt'][0]:.1f}/{p['prompt'][1]:.3f}; output "
              f"{p['output'][0]:.1f}/{p['output'][1]:.3f}; tool {p['tool'][0]:.1f}/{p['tool'][1]:.3f};"
              f" rf {p['rf']:.4f}; h {p['h']:.4f}  (mean/cv)")
        print("    " + "  ".join(f"{k}={sim[k]:.1f} ({100 * (sim[k] / obs[k] - 1):+.1f}%)"
                                 for k in ("calls", "input", "cached", "output", "total"))
              + f"  per-task total cv={sim['total_cv']:.3f} (data {cv(per['total']):.3f})")
    # D under hypercap's 1,024-token rule: the raw h counts every previous input as cacheable,
    # the simulator only prefixes of 1,024 tokens or more in steps of 128, so the rate that
    # gives the observed cached tokens is the observed mean over D's cacheable prefix at h = 1.
    cacheable_d = results["D"]["cacheable"]
    h_rule = obs["cached"] / cacheable_d
    print(f"  cache_hit_rate under the simulator's 1,024-token rule (prefixes of 1,024 + 128 k "
          f"only): D's cacheable prefix per task at h 1 = {cacheable_d:.1f}; with the raw h "
          f"{h_eff:.4f} it caches {h_eff * cacheable_d:.1f} of {obs['cached']:.1f} observed "
          f"({100 * (h_eff * cacheable_d / obs['cached'] - 1):+.1f}%); effective h = "
          f"{obs['cached']:.1f} / {cacheable_d:.1f} = {h_rule:.4f}")
    p_rule = dict(variants[3][1], h=h_rule, rule=True)
    sim = simulate(random.Random(MC_SEED), MC_TASKS, p_rule)
    print(f"  D'. D with the 1,024-token rule and h {h_rule:.4f} (this script's estimate of "
          f"the effective rate)")
    print("    " + "  ".join(f"{k}={sim[k]:.1f} ({100 * (sim[k] / obs[k] - 1):+.1f}%)"
                             for k in ("calls", "input", "cached", "output", "total")))
    sim_h = simulator_hit_rate(obs["cached"])
    if sim_h:
        print(f"  cache_hit_rate: raw {h_eff:.3f} (every previous input cacheable); effective "
              f"{sim_h:.3f} under the 1,024-token rule (hypercap's cacheable prefix, as the "
              f"preset's; this script's Monte Carlo gives {h_rule:.3f})")
    else:
        print(f"  cache_hit_rate: raw {h_eff:.3f} (every previous input cacheable); effective "
              f"{h_rule:.3f} under the 1,024-token rule (this script's Monte Carlo; no built "
              f"hypercap found for the preset's derivation)")
    print("  why B misses: the model draws every call's output from one distribution, but the "
          "sessions end on their big edit:")
    pos = {}
    for t in good:
        for i, c in enumerate(t["calls"]):
            pos.setdefault(min(i + 1, 6), []).append(c["output"] - c["reasoning"])
    print("    visible output by call position (1..5, 6+): " + "; ".join(
        f"{i}: {mean(v):.0f}" for i, v in sorted(pos.items())))
    print(f"    output of the last call: mean {mean([c['output'] for c in fi]):.0f}; of earlier calls: "
          f"mean {mean([c['output'] for c in nf]):.0f}. The last output is never carried into a "
          f"next call; the model carries a typical one K - t times.")
    print(f"    cached on call 1 (prefix shared across tasks), which the model sets to 0: "
          f"{sum(t['calls'][0]['cached'] for t in good)} of {sum(per['cached'])} cached tokens")
    kk = [len(t["calls"]) for t in good]
    mk, mp = mean(kk), mean(prompt)
    corr = (sum((a - mk) * (b2 - mp) for a, b2 in zip(kk, prompt)) /
            math.sqrt(sum((a - mk) ** 2 for a in kk) * sum((b2 - mp) ** 2 for b2 in prompt)))
    print(f"    corr(K, prompt_tokens) = {corr:.3f} (independence of K and prompt is fine)")
    print(f"  all 59 tasks: the 2 zero-usage tasks scale every per-task mean by {len(good)}/{len(tasks)}"
          f" = {len(good) / len(tasks):.4f}")

if __name__ == "__main__":
    main()
