#!/usr/bin/env bash
# The container runtime of the rehearsal: runs a command the way the pod runs
# the image, in a private mount namespace (call it through
# `unshare --mount --propagation private`):
#   - a read-only root filesystem: the host's /usr and /etc (read-only), the
#     app at /app (read-only), nothing else of the host (no repository, no
#     /root, no /work);
#   - /tmp and /var/lib/ops-portal writable, as the Dockerfile's volumes;
#   - /home/node owned by uid 1000 but read-only, as in the image;
#   - Node at /opt/node (the image has it at /usr/local/bin);
#   - uid/gid 1000 without supplementary groups or capabilities, cwd /app.
# The command replaces this script (exec), so its pid is the runtime's pid.
#
#   run-in-root.sh ROOT APP DATA TMP NODE_DIR -- env -i ... node packages/backend ...
set -euo pipefail

root=$1 app=$2 data=$3 tmp=$4 node_dir=$5
shift 5
[ "${1:-}" = -- ] && shift

mount -t tmpfs -o mode=755 rehearsal-root "$root"
for dir in bin sbin lib lib32 lib64 libx32; do
  # usrmerge: these are symlinks into /usr on Debian bookworm, as in the image.
  if [ -L "/$dir" ]; then ln -s "$(readlink "/$dir")" "$root/$dir"; fi
done
for dir in usr etc; do
  mkdir "$root/$dir"
  mount --bind -o ro "/$dir" "$root/$dir"
done
for dir in dev proc sys; do
  mkdir "$root/$dir"
  mount --rbind "/$dir" "$root/$dir"
done

mkdir -p "$root/app" "$root/tmp" "$root/var/lib/ops-portal" "$root/home/node" "$root/opt/node"
chown 1000:1000 "$root/home/node"
mount --bind -o ro "$app" "$root/app"
mount --bind "$data" "$root/var/lib/ops-portal"
mount --bind "$tmp" "$root/tmp"
mount --bind -o ro "$node_dir" "$root/opt/node"
mount -o remount,ro "$root"

exec chroot "$root" setpriv --reuid=1000 --regid=1000 --clear-groups \
  --inh-caps=-all --bounding-set=-all --no-new-privs -- "$@"
