#!/usr/bin/env bash
# Mutation score of the business calendars, the SLA clocks and staffing, each against its own
# tests, with mutmut. Prints killed / total and exits non-zero below the bar (85% by default).
#
#   scripts/mutation.sh                 # all three, 1 worker
#   MUTATION_JOBS=2 scripts/mutation.sh calendars
#   MUTATION_KEEP=1 scripts/mutation.sh sla      # keep the work directory (its path is printed)
#   MUTATION_RECHECK=/tmp/tmp.XXXX scripts/mutation.sh sla
#       # re-run only the mutants a kept run did not kill, against the checkout's tests as they
#       # are now (while writing tests for survivors); the figure it prints is marked as a
#       # re-check: the score of record comes from a full run
#
# It works on a copy in a temporary directory, so the checkout is never mutated, and runs the
# tests with the `mutation` hypothesis profile (60 derandomized examples, no shrinking: a
# mutant is killed or not, every time, and fails fast). A timeout counts as killed.
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
bar=${MUTATION_BAR:-85}
jobs=${MUTATION_JOBS:-1}
targets=("$@")
[ ${#targets[@]} -eq 0 ] && targets=(calendars sla staffing)

sources=()
tests=()
for target in "${targets[@]}"; do
    case "$target" in
        calendars)
            sources+=("src/servicekit/_calendars.py" "src/servicekit/_calendar_hours.py")
            tests+=("tests/test_calendars.py" "tests/test_boundaries.py") ;;
        sla)
            sources+=("src/servicekit/sla/_clock.py")
            tests+=("tests/test_sla.py") ;;
        staffing)
            sources+=("src/servicekit/costs/_staffing.py" "src/servicekit/costs/_erlang.py")
            tests+=("tests/test_costs.py" "tests/test_erlang_reference.py") ;;
        *) echo "unknown target $target: use calendars, sla or staffing" >&2; exit 2 ;;
    esac
done

copy_tests() {
    mkdir -p "$work/tests"
    cp "$root/tests/conftest.py" "$root/tests/_depth.py" "${tests[@]/#/$root/}" "$work/tests/"
}

if [ -n "${MUTATION_RECHECK:-}" ]; then
    work=$MUTATION_RECHECK
    [ -d "$work/mutants" ] || { echo "$work is not a kept mutation run" >&2; exit 2; }
    copy_tests
    cd "$work"
    export CI=1 HYPOTHESIS_PROFILE=mutation
    unset PYTHONPATH
    # Every mutant not yet killed (survived, no tests, suspicious, ...); mutmut collects which
    # tests reach each function again for the tests that are new.
    mapfile -t left < <(mutmut results | sed -n 's/^ *\([^:]*\): .*/\1/p')
    if [ ${#left[@]} -gt 0 ]; then
        mutmut run --max-children "$jobs" "${left[@]}" > "$work/recheck.log" 2>&1 \
            || { tail -40 "$work/recheck.log"; exit 1; }
    fi
    label="re-check of ${#left[@]} mutants, not a full run"
else
    work=$(mktemp -d)
    trap '[ -n "${MUTATION_KEEP:-}" ] || rm -rf "$work"' EXIT
    [ -z "${MUTATION_KEEP:-}" ] || echo "work directory (kept): $work; MUTATION_RECHECK=$work re-checks"
    cp -r "$root/src" "$work/src"
    copy_tests
    cp "$root/pyproject.toml" "$work/pyproject.toml"
    {
        echo
        echo "[tool.mutmut]"
        echo "source_paths = [\"src/servicekit\"]"
        # Everything else is listed as not to mutate (only_mutate leaves the rest of the package
        # out of mutants/, and the tests would then import the installed copy).
        others=()
        while IFS= read -r file; do
            keep=1
            for source in "${sources[@]}"; do [ "$file" = "$source" ] && keep=0; done
            [ $keep -eq 1 ] && others+=("$file")
        done < <(cd "$root" && find src/servicekit -name '*.py' | sort)
        printf 'do_not_mutate = [%s]\n' "$(printf '"%s", ' "${others[@]}")"
        printf 'pytest_add_cli_args_test_selection = [%s]\n' "$(printf '"%s", ' "${tests[@]}")"
        # pytest-benchmark (the bench extra) refuses to share a run with xdist, which the
        # project's addopts bring in (`--dist`); it has nothing to measure here.
        echo 'pytest_add_cli_args = ["-p", "no:cacheprovider", "-p", "no:benchmark", "-q", "-x"]'
        # A mutant that makes a test several times slower is as good as killed; the default
        # (15 x the clean run) lets a few endless-loop mutants take most of the run.
        # Not much lower: a mutant that survives runs about as long as the estimate, so at 1.0
        # some survivors overrun est + 5 s and count as timeouts, i.e. killed (seen on
        # _check_year's equivalent margins).
        echo "timeout_multiplier = ${MUTATION_TIMEOUT_FACTOR:-3.0}"
        echo "timeout_constant = 5.0"
    } >> "$work/pyproject.toml"

    cd "$work"
    export CI=1 HYPOTHESIS_PROFILE=mutation
    unset PYTHONPATH
    mutmut run --max-children "$jobs" > "$work/run.log" 2>&1 || { tail -40 "$work/run.log"; exit 1; }
    label="full run"
fi

mutmut export-cicd-stats > /dev/null
python - "$bar" "${targets[*]}" "$label" <<'PY'
import json, sys
stats = json.load(open("mutants/mutmut-cicd-stats.json"))
bar, targets, label = float(sys.argv[1]), sys.argv[2], sys.argv[3]
killed = stats["killed"] + stats.get("timeout", 0) + stats.get("caught_by_type_check", 0)
total = stats["total"] - stats.get("skipped", 0) - stats.get("not_checked", 0)
score = 100 * killed / total if total else 0.0
print(f"mutation score ({targets}): {killed}/{total} killed = {score:.1f}% "
      f"(survived {stats['survived']}, no tests {stats.get('no_tests', 0)}); bar {bar:.0f}%; "
      f"{label}")
sys.exit(0 if score >= bar else 1)
PY
