#!/usr/bin/env bash
# An example SLURM batch script: one `sgp node` process per task, two tasks
# per host, the cluster's [[cluster.process]] tables made from the job's
# node list. Submit: sbatch scripts/slurm_example.sh BASE.toml
# BASE.toml is a config without [[cluster.process]] tables (e.g.
# config/examples/quickstart.toml without cluster.nodes); each task finds
# its table by its rank (SLURM_PROCID), which `sgp node` reads itself.
#SBATCH --job-name=sgp
#SBATCH --nodes=2
#SBATCH --ntasks-per-node=2
#SBATCH --cpus-per-task=8
#SBATCH --time=01:00:00
set -euo pipefail

base=${1:?usage: sbatch scripts/slurm_example.sh BASE.toml}
nodes_per_process=${NODES_PER_PROCESS:-1}
port_base=${PORT_BASE:-29400}
config=${SLURM_SUBMIT_DIR:-$PWD}/sgp-cluster-$SLURM_JOB_ID.toml
# The secret comes from the environment of the job (export SGP_CLUSTER_SECRET
# before sbatch); it is never written into the generated file.

cp "$base" "$config"
rank=0
for host in $(scontrol show hostnames "$SLURM_JOB_NODELIST"); do
  for ((local = 0; local < SLURM_NTASKS_PER_NODE; local++)); do
    cat >>"$config" <<TOML

[[cluster.process]]
name = "rank$rank"
host = "$host"
port = $((port_base + local))
nodes = $nodes_per_process
TOML
    rank=$((rank + 1))
  done
done

# Task r runs the r-th table (sgp reads SLURM_PROCID and SLURM_NTASKS).
srun --kill-on-bad-exit=0 sgp node "$config"
