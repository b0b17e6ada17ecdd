"""`python -m rota.engine plan PROBLEM.json`: print the plan and its metrics as JSON.

Exit status 2, with the reason on stderr, when the file cannot be read or is malformed.
"""

from __future__ import annotations

import argparse
import json
import sys

from rota.engine.jsonfields import ProblemFormatError
from rota.engine.jsonio import plan_to_json, problem_from_json
from rota.engine.planner import plan


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m rota.engine")
    commands = parser.add_subparsers(dest="command", required=True)
    plan_command = commands.add_parser("plan", help="plan a problem file and print the plan")
    plan_command.add_argument("problem", help="path to a problem JSON file ('-' for stdin)")
    args = parser.parse_args(argv)
    try:
        if args.problem == "-":
            data = json.load(sys.stdin)
        else:
            with open(args.problem, encoding="utf-8") as handle:
                data = json.load(handle)
        problem = problem_from_json(data)
    except (OSError, json.JSONDecodeError, ProblemFormatError) as error:
        print(f"{args.problem}: {error}", file=sys.stderr)
        return 2
    json.dump(plan_to_json(plan(problem)), sys.stdout, indent=2)
    sys.stdout.write("\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
