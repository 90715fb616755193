#!/usr/bin/env bash
# Terraform over the synthesized stacks of one environment, one stack at a time in $STACKS order
# (cdktf/src/app.ts STACK_ORDER). Run from the repository root after `npm run synth -w cdktf`.
#
#   validate <env>                init without a backend and validate; needs no cloud credentials
#   plan <env> <changes-dir>      plan every stack without taking the state lock (the planner only
#                                 reads); write <changes-dir>/<stack>.json, the planned changes as
#                                 addresses and actions, and the readable plan to the job summary
#   apply <env> <changes-dir>     plan again; stop if a stack's changes differ from the reviewed
#                                 <changes-dir>/<stack>.json, else apply exactly that plan
set -euo pipefail

usage() {
  echo "usage: $0 validate <env> | plan <env> <changes-dir> | apply <env> <changes-dir>" >&2
  exit 2
}

mode="${1:-}"
env="${2:-}"
changes_dir="${3:-}"
case "$mode" in
  validate) (($# == 2)) || usage ;;
  plan | apply) (($# == 3)) || usage ;;
  *) usage ;;
esac
[[ "$env" =~ ^[a-z][a-z0-9-]*$ ]] || usage
[[ -n "${STACKS:-}" ]] || { echo "STACKS (the stacks in apply order) is not set" >&2; exit 2; }

stacks_dir="cdktf/cdktf.out/stacks"
summary="${GITHUB_STEP_SUMMARY:-/dev/null}"
# Plans longer than this are cut in the job summary; the job log has them whole.
summary_chars=60000

# The bootstrap stack's own state is local (it creates the state bucket), which a runner would lose.
# Here it lives in that bucket under <env>/bootstrap, where it is moved once after the first apply
# (cdktf/README.md); the bucket is the one every other stack's backend names.
keep_bootstrap_state_in_bucket() { # <stack dir>
  local bucket
  bucket="$(jq -er '.terraform.backend.gcs.bucket' "$stacks_dir/$env-network/cdk.tf.json")"
  jq -n --arg bucket "$bucket" --arg prefix "$env/bootstrap" \
    '{terraform: {backend: {gcs: {bucket: $bucket, prefix: $prefix}}}}' > "$1/backend_override.tf.json"
}

# Addresses and actions only: plan files and their JSON carry state values, secrets among them.
changes_of() { # <stack dir>
  terraform -chdir="$1" show -json tfplan | jq -S '{
    resources: [.resource_changes[]? | select(.change.actions != ["no-op"]) | {address, actions: .change.actions}] | sort_by(.address),
    outputs: [(.output_changes // {}) | to_entries[] | select(.value.actions != ["no-op"]) | {name: .key, actions: .value.actions}] | sort_by(.name)
  }'
}

change_count() { # <changes file>
  jq '(.resources | length) + (.outputs | length)' "$1"
}

summarize() { # <stack> <stack dir> <changes file>
  local count
  count="$(change_count "$3")"
  terraform -chdir="$2" show -no-color tfplan > "$2/tfplan.txt"
  {
    echo "<details><summary><code>$env-$1</code>: $count change(s)</summary>"
    echo
    echo '```'
    head -c "$summary_chars" "$2/tfplan.txt"
    echo
    echo '```'
    echo "</details>"
  } >> "$summary"
}

init_with_state() { # <stack> <stack dir>
  if [[ "$1" == bootstrap ]]; then keep_bootstrap_state_in_bucket "$2"; fi
  terraform -chdir="$2" init -input=false
}

if [[ "$mode" == plan ]]; then
  mkdir -p "$changes_dir"
  echo "### Terraform plan: $env" >> "$summary"
fi

for stack in $STACKS; do
  dir="$stacks_dir/$env-$stack"
  if [[ ! -f "$dir/cdk.tf.json" ]]; then
    echo "$dir/cdk.tf.json is missing: run npm run synth -w cdktf first" >&2
    exit 1
  fi
  echo "::group::$mode $env-$stack"
  case "$mode" in
    validate)
      terraform -chdir="$dir" init -input=false -backend=false
      terraform -chdir="$dir" validate
      ;;
    plan)
      init_with_state "$stack" "$dir"
      terraform -chdir="$dir" plan -input=false -lock=false -out=tfplan
      changes_of "$dir" > "$changes_dir/$stack.json"
      summarize "$stack" "$dir" "$changes_dir/$stack.json"
      ;;
    apply)
      reviewed="$changes_dir/$stack.json"
      if [[ ! -f "$reviewed" ]]; then
        echo "no reviewed plan for $env-$stack in $changes_dir" >&2
        exit 1
      fi
      init_with_state "$stack" "$dir"
      terraform -chdir="$dir" plan -input=false -out=tfplan
      changes_of "$dir" > "$dir/changes.json"
      if ! diff -u "$reviewed" "$dir/changes.json"; then
        echo "::error::$env-$stack would now make other changes than the reviewed plan; run the workflow again and review the new plan"
        exit 1
      fi
      if (($(change_count "$dir/changes.json") == 0)); then
        echo "$env-$stack: no changes"
      else
        terraform -chdir="$dir" apply -input=false tfplan
      fi
      ;;
  esac
  echo "::endgroup::"
done
