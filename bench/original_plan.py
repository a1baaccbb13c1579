"""The original's equivalent of `cohort plan SPEC --cohort-id bench --out OUT`, for `npm run bench`.

Our code, not the original's: it imports the original package (daydreaming_dagster at d2be249, put
on sys.path by the bench from COHORT_BENCH_ORIGINAL) and calls the functions its cohort_membership
asset calls, in the same order, without Dagster and without catalog validation:
load_spec -> compile_design -> CohortDefinition.from_design_rows -> generate_membership (in-memory
registry) -> a DataFrame of the rows, de-duplicated on (stage, gen_id) -> to_csv of the membership
columns. The last line printed is JSON: the peak RSS of this process and the phases' seconds.

usage: python original_plan.py SPEC_CONFIG_YAML OUT_CSV
       python original_plan.py --check      (exits 0, printing the versions, when every import the plan
                                            needs works and pydantic is 2.x, as the original requires)
"""

import json
import resource
import sys
import time

t0 = time.perf_counter()


def _imports():
    import pandas as pd
    from daydreaming_dagster.cohorts.membership_engine import (
        MEMBERSHIP_COLUMNS,
        InMemoryGenerationRegistry,
        generate_membership,
    )
    from daydreaming_dagster.cohorts.spec_planner import CohortDefinition
    from daydreaming_dagster.spec_dsl import compile_design, load_spec

    return pd, MEMBERSHIP_COLUMNS, InMemoryGenerationRegistry, generate_membership, CohortDefinition, compile_design, load_spec


def main() -> int:
    if sys.argv[1:] == ["--check"]:
        try:
            _imports()
            import pandas
            import pydantic
            import yaml
        except Exception as exc:  # any import failure means "cannot run the original here"
            print(f"{type(exc).__name__}: {exc}")
            return 1
        # The original's pyproject asks for pydantic>=2; under 1.x its models import but are not
        # frozen, and they validate at another speed: not the original as it runs.
        if int(pydantic.VERSION.split(".")[0]) < 2:
            print(f"pydantic {pydantic.VERSION} found, the original requires pydantic>=2")
            return 1
        print(f"python {sys.version.split()[0]}, pandas {pandas.__version__}, pydantic {pydantic.VERSION}, PyYAML {yaml.__version__}")
        return 0
    spec_path, out_path = sys.argv[1], sys.argv[2]
    pd, columns, Registry, generate_membership, CohortDefinition, compile_design, load_spec = _imports()
    t1 = time.perf_counter()
    spec = load_spec(spec_path)
    design = compile_design(spec)
    t2 = time.perf_counter()
    definition = CohortDefinition.from_design_rows(design)
    t3 = time.perf_counter()
    rows = generate_membership(definition, cohort_id="bench", registry=Registry())
    t4 = time.perf_counter()
    frame = pd.DataFrame([row.to_dict() for row in rows])
    frame = frame.drop_duplicates(subset=["stage", "gen_id"])
    frame.to_csv(out_path, columns=list(columns), index=False)
    t5 = time.perf_counter()
    print(json.dumps({
        "rows": int(len(frame)),
        "maxRssKb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss,
        "seconds": {"imports": t1 - t0, "compile": t2 - t1, "definition": t3 - t2,
                    "membership": t4 - t3, "frame_and_csv": t5 - t4},
    }))
    return 0


if __name__ == "__main__":
    sys.exit(main())
