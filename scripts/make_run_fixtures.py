#!/usr/bin/env python3
"""Write the run-output fixtures tests/fixtures/dgm-run/ and tests/fixtures/dgmh-run/.

Usage: python3 scripts/make_run_fixtures.py   (from the repository root)

No DGM or DGM-H run output is public. This script writes small run directories the way the
two repositories' writer code would (DGM: DGM_outer.py, self_improve_step.py,
llm_withtools.py, polyglot/harness.py; HyperAgents: generate_loop.py, utils/gl_utils.py,
agent/llm_withtools.py, domains/harness.py, domains/report.py); tests/fixtures/README.md names
the files and commits each shape comes from. Python's repr() and json.dumps() produce the
logs and metadata byte for byte as the writers do. The contents are made up.

It prints the counts the tests expect of the estimated calls: ceil(len / 4) of Python's own
strings, computed here independently of hypercap. Standard library only.
"""
import csv
import datetime
import io
import json
import os
import shutil


def write(path, text):
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "w") as f:
        f.write(text)


TOOLS = (
    "[FunctionTool(name='bash', parameters={'type': 'object', 'properties': {'command': {'type':"
    " ['string', 'null'], 'description': 'The bash command to run.'}}, 'required': ['command'],"
    " 'additionalProperties': False}, strict=True, type='function', description='Run commands in a"
    " bash shell')]"
)


def response(rid, t, tool_args, usage, status="completed"):
    inp, cached, out, reas = usage
    out_items = (
        f"[ResponseReasoningItem(id='rs_{rid}', summary=[], type='reasoning',"
        f" encrypted_content=None, status=None), ResponseFunctionToolCall(arguments='{tool_args}',"
        f" call_id='call_{rid[:12]}', name='bash', type='function_call', id='fc_{rid}',"
        " status='completed')]"
        if tool_args
        else (
            f"[ResponseOutputMessage(id='msg_{rid}', content=[ResponseOutputText(annotations=[],"
            " text='The tests pass now.', type='output_text')], role='assistant',"
            " status='completed', type='message')]"
        )
    )
    return (
        f"Response(id='resp_{rid}', created_at={t}.0, error=None, incomplete_details=None,"
        " instructions=None, metadata={}, model='o3-mini-2025-01-31', object='response',"
        f" output={out_items}, parallel_tool_calls=False, temperature=1.0, tool_choice='auto',"
        f" tools={TOOLS}, top_p=1.0, max_output_tokens=None, previous_response_id=None,"
        " reasoning=Reasoning(effort='medium', generate_summary=None, summary=None),"
        f" service_tier='default', status='{status}',"
        " text=ResponseTextConfig(format=ResponseFormatText(type='text')), truncation='disabled',"
        f" usage=ResponseUsage(input_tokens={inp},"
        f" input_tokens_details=InputTokensDetails(cached_tokens={cached}), output_tokens={out},"
        f" output_tokens_details=OutputTokensDetails(reasoning_tokens={reas}),"
        f" total_tokens={inp+out}), user=None, store=True)"
    )


def task_log(task, responses):
    # chat_with_agent_openai: User Instruction, Agent Response, then per tool use
    # Tool Used/Input/Result and Tool Response
    lang, ex = task.split("__")
    s = (
        "\n========== User Instruction ==========\nI have uploaded a code repository in the"
        " directory /testbed/. Help solve the following problem.\n\n<problem_description>\n#"
        " Instructions\n\nSolve the exercise '"
        + ex
        + "'.\n</problem_description>\n\nYour task is to make changes to the files in the /testbed/"
        " directory to address the <problem_description>. I have already taken care of the"
        " required dependencies.\n\n\nPlease analyze the problem description carefully. Then make"
        " edits to the code files to complete the instruction.\n"
    )
    s += "\n========== Agent Response ==========\n" + responses[0][0] + "\n"
    for i, (r, args) in enumerate(responses):
        if i > 0:
            s += "Tool Response: " + r + "\n"
        if args and i == 0:  # chat_with_agent_openai logs the first tool use as a dict
            s += (
                "{'tool_id': 'call_x', 'tool_name': 'bash', 'tool_input': "
                + args.replace('"', "'")
                + "}\n"
            )
        if args:
            s += "Tool Used: bash\nTool Input: " + args.replace('"', "'") + "\nTool Result: ok\n"
    return s


def docker_log(task, t0, secs_ms, evaluated=True):
    def clk(ms):
        d = datetime.datetime.fromtimestamp(t0 + ms / 1000, datetime.timezone.utc)
        return d.strftime("%Y-%m-%d %H:%M:%S") + ",%03d" % (d.microsecond // 1000)

    if not evaluated:  # an empty patch is never tested
        return (
            f"{clk(0)} - ThreadPoolExecutor-0_0 - INFO - Creating container for {task}...\n"
            f"{clk(4000)} - ThreadPoolExecutor-0_0 - INFO - Getting model_patch\n"
        )
    return (
        f"{clk(0)} - ThreadPoolExecutor-0_0 - INFO - Creating container for"
        f" {task}...\n{clk(5000)} - ThreadPoolExecutor-0_0 - INFO - Running the eval\n{clk(5000)} -"
        f" ThreadPoolExecutor-0_0 - INFO - Container output: + set -e\n{clk(5000 + secs_ms)} -"
        f" ThreadPoolExecutor-0_0 - INFO - Attempting to stop container pb.eval.{task}.x...\n"
    )


def make_task(preddir, model_name, task, t0, usages, result, sandbox_ms):
    rs = []
    for k, u in enumerate(usages):
        args = '{"command": "ls /testbed"}' if k < len(usages) - 1 else None
        rs.append((response(f"{t0:x}{k:02d}{task[:3]}", t0 + 7 * k, args, u), args))
    write(f"{preddir}/{task}.md", task_log(task, rs))
    patch = (
        ""
        if result == "empty_patch"
        else (
            f"diff --git a/{task}.txt b/{task}.txt\n--- a/{task}.txt\n+++ b/{task}.txt\n@@ -1 +1"
            " @@\n-x\n+y\n"
        )
    )
    pred = {
        "instance_id": task,
        "model_name_or_path": model_name,
        "model_patch": patch,
        "proposed_model_patches": [],
        "eval_result": result,
        "success": True,
    }
    write(f"{preddir}/{task}.json", json.dumps(pred, indent=4))
    if result != "empty_patch":
        write(f"{preddir}/{task}_eval.sh", "#!/bin/bash\nset -uxo pipefail\npytest -rA --tb=long\n")
        write(
            f"{preddir}/{task}_eval.md",
            "+ pytest -rA --tb=long\n" + ("1 passed\n" if result == "resolved" else "1 failed\n"),
        )
    write(f"{preddir}/{task}_docker.log", docker_log(task, t0, sandbox_ms, result != "empty_patch"))


def report(outdir, model_name, tasks):
    res = [t for t, r in tasks if r == "resolved"]
    unres = [t for t, r in tasks if r == "unresolved"]
    emp = [t for t, r in tasks if r == "empty_patch"]
    rep = {
        "total_instances": 225,
        "submitted_instances": len(tasks),
        "completed_instances": len(tasks),
        "resolved_instances": len(res),
        "unresolved_instances": len(unres),
        "empty_patch_instances": len(emp),
        "error_instances": 0,
        "unstopped_instances": 0,
        "completed_ids": sorted(t for t, _ in tasks),
        "incomplete_ids": [],
        "empty_patch_ids": sorted(emp),
        "submitted_ids": sorted(t for t, _ in tasks),
        "resolved_ids": sorted(res),
        "unresolved_ids": sorted(unres),
        "error_ids": [],
        "unstopped_containers": [],
        "unremoved_images": [],
        "schema_version": 2,
    }
    write(f"{outdir}/{model_name}_0.0.json", json.dumps(rep, indent=4) + "\n")
    return rep


def perf(tasks, files):
    res = [t for t, r in tasks if r == "resolved"]
    unres = [t for t, r in tasks if r == "unresolved"]
    emp = [t for t, r in tasks if r == "empty_patch"]
    return {
        "accuracy_score": len(res) / len(tasks),
        "total_resolved_instances": len(res),
        "total_submitted_instances": len(tasks),
        "files": files,
        "total_unresolved_ids": unres,
        "total_emptypatch_ids": emp,
        "total_resolved_ids": res,
    }


def make_dgm(ROOT):
    expected = {}
    # ---- initial/: DGM's initial_polyglot copied in by initialize_run ----
    init_tasks = [("cpp__bank-account", "unresolved"), ("python__bowling", "resolved")]
    make_task(
        f"{ROOT}/initial/predictions/initial_0",
        "initial_0",
        "cpp__bank-account",
        1747046400,
        [(1210, 0, 310, 256), (1688, 1024, 95, 64)],
        "unresolved",
        3385,
    )
    make_task(
        f"{ROOT}/initial/predictions/initial_0",
        "initial_0",
        "python__bowling",
        1747046520,
        [(980, 0, 512, 448)],
        "resolved",
        1250,
    )
    write(
        f"{ROOT}/initial/metadata.json",
        json.dumps(
            {"run_id": "initial", "overall_performance": perf(init_tasks, ["initial_0.0.json"])},
            indent=4,
        ),
    )

    # ---- self-improvement attempts ----
    def conversation(msgs):
        return repr(msgs)

    def claude_history(task_text, steps, final):
        # the converted history chat_with_agent logs: user, (assistant tool_use,
        # user tool result)*, assistant final
        h = [{"role": "user", "content": [{"type": "text", "text": task_text}]}]
        for pre, tool_input, result in steps:
            blocks = []
            if pre:
                blocks.append({"type": "text", "text": pre})
            blocks.append(
                {
                    "type": "text",
                    "text": (
                        "<tool_use>\n{'tool_name': editor, 'tool_input':"
                        f" {tool_input}}}\n</tool_use>"
                    ),
                }
            )
            h.append({"role": "assistant", "content": blocks})
            h.append(
                {"role": "user", "content": [{"type": "text", "text": f"Tool Result: {result}"}]}
            )
        h.append({"role": "assistant", "content": [{"type": "text", "text": final}]})
        return h

    def estimate(h):
        calls = []
        ctx = 0
        for m in h:
            chars = sum(len(b["text"]) for b in m["content"] if b["text"] is not None)
            if m["role"] == "assistant":
                calls.append(((ctx + 3) // 4, (chars + 3) // 4))
            ctx += chars
        return calls

    PROBLEM = (
        "I have uploaded a code repository in the directory /dgm/. Help solve the following"
        " problem.\n\n<problem_description>\n# Coding Agent Summary\n\n- **Main File**:"
        " `coding_agent.py`\n\n# To Implement\n\nThe agent's edits to 'bowling.py' are lost when"
        ' the "editor" tool overwrites a file — add a str_replace'
        " command.\n</problem_description>\n\nYour task is to make changes to the files in the"
        " /dgm/ directory to address the <problem_description>. I have already taken care of the"
        " required dependencies.\n\n\nPlease analyze the problem description carefully. Then make"
        " edits to the code files to complete the instruction."
    )

    def child(
        gen, cid, parent, entry, steps, final, patch, tasks=None, t0=0, usages=None, screen=None
    ):
        d = f"{ROOT}/{cid}"
        h = claude_history(PROBLEM.replace("bowling.py", entry + ".py"), steps, final)
        write(f"{d}/self_evo.md", conversation(h) + "\n")
        write(f"{d}/model_patch.diff", patch)
        write(
            f"{d}/self_improve.log",
            f"Task to improve: {entry}\nRunning self-improvement\nEnd of evaluation\n",
        )
        meta = {
            "run_id": cid,
            "parent_commit": parent,
            "entry": entry,
            "problem_statement": "# To Implement\n\nAdd a str_replace command to the editor tool.",
        }
        if patch.strip():
            meta["model_patch_exists"] = True
            meta["model_patch_notempty"] = True
            meta["swe_dnames"] = []  # the polyglot harness returns its out_dnames list empty
            for (task, result), u in zip(tasks, usages):
                make_task(f"{d}/predictions/{cid}_0", f"{cid}_0", task, t0, u, result, 2000)
                t0 += 300
            # the screen first; with enough resolved, the full set into the same directory, whose
            # report overwrites the screen's and becomes overall_performance_deep
            screen = screen or len(tasks)
            meta["overall_performance"] = perf(tasks[:screen], [f"{cid}_0.0.json"])
            report(d, cid, tasks)
            if screen < len(tasks):
                meta["overall_performance_deep"] = perf(tasks, [f"{cid}_0.0.json"])
        write(f"{d}/metadata.json", json.dumps(meta, indent=4))
        expected[cid] = estimate(h)
        return cid

    PATCH = (
        "diff --git a/tools/edit.py b/tools/edit.py\nindex 3f1c2aa..8b0e5d1 100644\n---"
        " a/tools/edit.py\n+++ b/tools/edit.py\n@@ -20,7 +20,8 @@ def tool_info():\n               "
        '  "command": {\n                     "type": "string",\n-                    "enum":'
        ' ["view", "create", "edit"],\n+                    "enum": ["view", "create", "edit",'
        ' "str_replace"],\n+                    "description": "The command to run.",\n            '
        "     },\n"
    )

    c1 = child(
        0,
        "20250512_103512_004211",
        "initial",
        "cpp__bank-account",
        [
            (
                "I'll look at the editor tool first.",
                "{'command': 'view', 'path': '/dgm/tools/edit.py'}",
                (
                    "Here's the result of running `cat -n` on /dgm/tools/edit.py:\n     1\timport"
                    " subprocess\n"
                ),
            ),
            (
                None,
                (
                    "{'command': 'edit', 'path': '/dgm/tools/edit.py', 'file_text': 'import"
                    " subprocess\\n# str_replace'}"
                ),
                "File at /dgm/tools/edit.py has been overwritten with new content.",
            ),
        ],
        (
            "I added a str_replace command to the editor; it isn't tested yet —"
            ' "tests/test_edit_tool.py" covers view only.'
        ),
        PATCH,
        [("cpp__bank-account", "resolved"), ("python__bowling", "resolved")],
        1747050000,
        [[(2100, 1024, 400, 320)], [(1500, 0, 220, 128), (1900, 1536, 60, 0)]],
    )
    c2 = child(
        0,
        "20250512_103514_873002",
        "initial",
        "python__bowling",
        [
            (
                "Let me check the tests.",
                "{'command': 'view', 'path': '/dgm/tests'}",
                "Error: The path /dgm/tests does not exist.",
            )
        ],
        None,
        "",
    )
    c3 = child(
        1,
        "20250512_121907_310556",
        c1,
        "go__book-store",
        [
            (
                "Reading coding_agent.py.",
                "{'command': 'view', 'path': '/dgm/coding_agent.py'}",
                "def forward(self):\n    pass\n",
            ),
            (
                "Now the prompt.",
                (
                    "{'command': 'edit', 'path': '/dgm/coding_agent.py', 'file_text': \"def"
                    ' forward(self):\\n    # retry once\\n"}'
                ),
                "File at /dgm/coding_agent.py has been overwritten with new content.",
            ),
            (
                None,
                "{'command': 'view', 'path': '/dgm/coding_agent.py'}",
                "def forward(self):\n    # retry once\n",
            ),
        ],
        "Done: forward() now retries once.",
        PATCH.replace("str_replace", "insert"),
        [("go__book-store", "resolved"), ("rust__dominoes", "unresolved")],
        1747057000,
        [[(3050, 2048, 700, 512), (3900, 3072, 45, 0)], [(1400, 0, 380, 300)]],
        screen=1,
    )
    c4 = child(
        1,
        "20250512_121909_002817",
        "initial",
        "rust__dominoes",
        [
            (
                "Looking at the tools.",
                "{'command': 'view', 'path': '/dgm/tools'}",
                "/dgm/tools/bash.py\n/dgm/tools/edit.py",
            )
        ],
        "Added a timeout to the bash tool.",
        PATCH.replace("edit.py", "bash.py"),
        [("rust__dominoes", "unresolved"), ("python__bowling", "empty_patch")],
        1747057100,
        [[(800, 0, 150, 100)], [(640, 0, 90, 64)]],
    )

    gens = [
        {
            "generation": 0,
            "selfimprove_entries": [
                ("initial", "cpp__bank-account"),
                ("initial", "python__bowling"),
            ],
            "children": [c1, c2],
            "children_compiled": [c1],
            "archive": ["initial", c1],
        },
        {
            "generation": 1,
            "selfimprove_entries": [(c1, "go__book-store"), ("initial", "rust__dominoes")],
            "children": [c3, c4],
            "children_compiled": [c3, c4],
            "archive": ["initial", c1, c3, c4],
        },
    ]
    with open(f"{ROOT}/dgm_metadata.jsonl", "w") as f:
        for g in gens:
            f.write(json.dumps(g, indent=2) + "\n")
    write(f"{ROOT}/dgm_outer.log", "Starting DGM run 20250512103000_123456\n")
    return expected


def make_dgmh(ROOT):
    RUN = "/hyperagents/outputs/generate_20260301_101500_000000"
    expected = {"calls": {}, "bytes": {}, "scores": {}}

    def estimate(log):
        # the same rule as docs/replay.md, over Python's own string lengths
        calls, ctx, pending, tools = [], 0, 0, 0
        for kind, text in log:
            n = len(text)
            if kind == "Input":
                ctx, pending, tools = 0, n, 0
            elif kind == "Output":
                calls.append(((ctx + pending + 3) // 4, (n + 3) // 4))
                ctx += pending + n
                pending, tools = 0, 0
            else:
                pending += (2 if tools else 0) + n
                tools += 1
        return calls

    def chat_log(path, log):
        # agent/llm_withtools.py chat_with_agent: logging(f"Input: {repr(msg)}"), Output,
        # Tool output
        write(
            path, "".join(f"{'Tool output' if k == 'Tool' else k}: {text!r}\n" for k, text in log)
        )
        return estimate(log)

    def tool_msg(name, tool_input, output):
        return (
            "<json>\n"
            + json.dumps(
                {"tool_name": name, "tool_input": tool_input, "tool_output": str(output)}, indent=2
            )
            + "\n</json>"
        )

    def tool_call(name, tool_input, pre=""):
        return (
            pre
            + "<json>\n"
            + json.dumps({"tool_name": name, "tool_input": tool_input}, indent=4)
            + "\n</json>"
        )

    PAPERS = {
        "q0012": ("We propose a sparse mixture of adapters…", "accept"),
        "q0047": ('A benchmark for tabular reasoning with "noisy" labels.', "reject"),
        "q0101": ("On the convergence of Adam's second moment.", "reject"),
        "q0230": ("Diffusion models for protein docking.", "accept"),
    }

    def task_instruction(qid):
        inputs = {"domain": "paper_review", "paper_text": PAPERS[qid][0]}
        return (
            f"You are an agent.\n\nTask input:\n```\n{inputs}\n```\n\nRespond in JSON format with"
            ' the following schema:\n<json>\n{\n    "response": ...\n}\n</json>'
        )

    def eval_dir(gen, name, answers):
        # domains/harness.py + domains/report.py for one split: agent_evals/,
        # predictions.csv, report.json
        d = f"{ROOT}/gen_{gen}/{name}"
        rows = []
        for qid, pred in answers:
            reply = (
                f"The paper is {'solid' if pred == 'accept' else 'not ready'}.\n<json>\n{{\n   "
                f' "response": "{pred}"\n}}\n</json>'
            )
            expected["calls"][f"{gen}/{name}/{qid}"] = chat_log(
                f"{d}/agent_evals/chat_history_{qid}.md",
                [("Input", task_instruction(qid)), ("Output", reply)],
            )
            rows.append(
                {
                    "question_id": qid,
                    "paper_text": PAPERS[qid][0],
                    "outcome": PAPERS[qid][1],
                    "prediction": pred,
                }
            )
        buf = io.StringIO()
        w = csv.DictWriter(
            buf,
            fieldnames=["question_id", "paper_text", "outcome", "prediction"],
            lineterminator="\n",
        )
        w.writeheader()
        w.writerows(rows)
        write(f"{d}/predictions.csv", buf.getvalue())
        passed = [r["question_id"] for r in rows if r["prediction"] == r["outcome"]]
        failed = [r["question_id"] for r in rows if r["prediction"] != r["outcome"]]
        labels = sorted({r["outcome"] for r in rows})
        rep = {
            "overall_accuracy": len(passed) / len(rows),
            "total_correct": len(passed),
            "total": len(rows),
            "accuracy_by_ground_truth": {
                l: {
                    "precision": 0.0,
                    "recall": 0.0,
                    "correct": 0,
                    "total": sum(r["outcome"] == l for r in rows),
                }
                for l in labels
            },
            "label_distribution": {
                "ground_truth": {
                    l: sum(r["outcome"] == l for r in rows) / len(rows) for l in labels
                },
                "prediction": {
                    l: sum(r["prediction"] == l for r in rows) / len(rows) for l in labels
                },
            },
            "random_guess_accuracy": sum(
                (sum(r["outcome"] == l for r in rows) / len(rows)) ** 2 for l in labels
            ),
            "question_ids_failed": failed,
            "question_ids_passed": passed,
        }
        write(f"{d}/report.json", json.dumps(rep, indent=4))
        return rep["overall_accuracy"]

    def dir_bytes(d):
        return sum(os.path.getsize(os.path.join(p, f)) for p, _, fs in os.walk(d) for f in fs)

    def meta_agent(gen, steps, final):
        instruction = (
            "Modify any part of the codebase at `/hyperagents/`.\n\nPreviously generated agents"
            " and their evaluation results are stored at `/tmp/generate_20260301_101500_000000`."
            " Read them before proposing modifications so you can learn from what has already been"
            f" tried and avoid repeating prior failures.\n\nYou have {3 - gen} iteration(s)"
            " remaining after this one. Budget exploration vs. exploitation accordingly."
        )
        log = [("Input", instruction)]
        for pre, name, tin, out in steps:
            log.append(("Output", tool_call(name, tin, pre)))
            log.append(("Tool", tool_msg(name, tin, out)))
        log.append(("Output", final))
        expected["calls"][f"{gen}/meta"] = chat_log(
            f"{ROOT}/gen_{gen}/agent_output/meta_agent_chat_history.md", log
        )

    def metadata(gen, parent, run_eval, full, valid):
        m = {
            "gen_output_dir": f"{RUN}/gen_{gen}",
            "current_genid": gen,
            "parent_genid": parent,
            "run_baseline": None,
            "prev_patch_files": [
                f"{RUN}/gen_{g}/agent_output/model_patch.diff" for g in LINEAGE[gen]
            ],
            "curr_patch_files": [f"{RUN}/gen_{gen}/agent_output/model_patch.diff"],
            "parent_agent_success": True,
            "optimize_option": "only_agent",
            "agent_archive_path": None,
            "can_select_next_parent": True,
            "run_eval": run_eval,
        }
        if full:
            m["run_full_eval"] = True
        m["valid_parent"] = valid
        write(f"{ROOT}/gen_{gen}/metadata.json", json.dumps(m, indent=4))

    LINEAGE = {1: [], 2: [1], 3: [1]}
    PATCH = (
        "diff --git a/task_agent.py b/task_agent.py\nindex 5d1e0c2..a93b7f4 100644\n---"
        " a/task_agent.py\n+++ b/task_agent.py\n@@ -18,6 +18,8 @@ class TaskAgent(AgentSystem):\n  "
        '       instruction = f"""You are an agent.\n+\n+Think about the paper\'s novelty and'
        " soundness before deciding.\n \n Task input:\n"
    )

    # gen_initial: the initial agent's evaluation, copied from
    # outputs/initial_paper_review_filtered_100_{train,val}_0/
    s = eval_dir("initial", "paper_review_eval", [("q0012", "accept"), ("q0047", "accept")])
    eval_dir("initial", "paper_review_eval_val", [("q0230", "reject")])
    expected["scores"]["initial"] = s * 10 / 100
    write(
        f"{ROOT}/gen_initial/hyperagents/README.md", "# Self-Improving AI\n"
    )  # the repo copy setup_initial_gen makes

    # gen_1: parent initial, full evaluation
    meta_agent(
        1,
        [
            (
                "Let me look at the archive first.\n",
                "bash",
                {"command": "ls /tmp/generate_20260301_101500_000000"},
                "archive.jsonl\ngen_initial\n",
            ),
            (
                "",
                "editor",
                {"command": "view", "path": "/hyperagents/task_agent.py"},
                "class TaskAgent(AgentSystem):\n    def forward(self, inputs): …",
            ),
        ],
        "I edited task_agent.py so that the agent weighs novelty and soundness; it's done.",
    )
    write(f"{ROOT}/gen_1/agent_output/model_patch.diff", PATCH)
    s = eval_dir(
        1, "paper_review_eval", [("q0012", "accept"), ("q0047", "reject"), ("q0101", "accept")]
    )
    eval_dir(1, "paper_review_eval_val", [("q0230", "accept")])
    metadata(1, "initial", True, True, True)
    expected["scores"]["1"] = s
    write(f"{ROOT}/gen_1/generate.log", "Running meta agent...\n")

    # gen_2: parent 1, its staged evaluation scored 0, so no full evaluation
    meta_agent(
        2,
        [
            (
                "",
                "bash",
                {
                    "command": (
                        "cat /tmp/generate_20260301_101500_000000/gen_1/"
                        "paper_review_eval/report.json"
                    )
                },
                '{"overall_accuracy": 0.6666666666666666}',
            )
        ],
        "Changed the output format to a single word.",
    )
    write(
        f"{ROOT}/gen_2/agent_output/model_patch.diff",
        PATCH.replace("novelty and soundness", "the single word accept or reject"),
    )
    s = eval_dir(2, "paper_review_eval", [("q0012", "reject"), ("q0047", "accept")])
    eval_dir(2, "paper_review_eval_val", [("q0230", "reject")])
    metadata(2, 1, True, False, True)
    expected["scores"]["2"] = s * 10 / 100
    write(f"{ROOT}/gen_2/generate.log", "Running meta agent...\n")

    # gen_3: parent 1, the meta agent left no diff: not evaluated, not a valid parent
    meta_agent(3, [], "I could not find anything to improve.")
    write(f"{ROOT}/gen_3/agent_output/model_patch.diff", "")
    metadata(3, 1, False, False, False)
    write(f"{ROOT}/gen_3/generate.log", "Running meta agent...\n")

    archive = []
    with open(f"{ROOT}/archive.jsonl", "w") as f:
        for g in ["initial", 1, 2, 3]:
            archive.append(g)
            f.write(json.dumps({"current_genid": g, "archive": archive}) + "\n")
    write(
        f"{ROOT}/generate_loop.log",
        "Args: domains=['paper_review'], max_generation=3, parent_selection=score_child_prop\n",
    )
    for g in ["initial", 1, 2, 3]:
        expected["bytes"][str(g)] = sum(
            dir_bytes(os.path.join(ROOT, f"gen_{g}", d))
            for d in os.listdir(os.path.join(ROOT, f"gen_{g}"))
            if "_eval" in d
        )

    return expected


if __name__ == "__main__":
    for name, make in (("dgm-run", make_dgm), ("dgmh-run", make_dgmh)):
        root = os.path.join("tests", "fixtures", name)
        shutil.rmtree(root, ignore_errors=True)
        print(name, json.dumps(make(root)))
