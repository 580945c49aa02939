# The [[cluster.process]] tables of two `sgp node` processes, gpu0 and gpu1,
# on 127.0.0.1 (ports 29710 and 29711), NODES nodes each, their nodes on
# the devices listed (DEVICES0, DEVICES1: "0" or "0,1"). Sourced by the
# cluster_gpu_*.sh scripts:
#   source bench/cluster_tables.sh; two_processes NODES DEVICES0 DEVICES1
two_processes() {
  local p devices
  for p in 0 1; do
    devices=$2
    [ "$p" -eq 1 ] && devices=$3
    printf '[[cluster.process]]\nname = "gpu%s"\nhost = "127.0.0.1"\nport = %s\nnodes = %s\ndevices = [%s]\n' \
      "$p" "$((29710 + p))" "$1" "$devices"
  done
}
