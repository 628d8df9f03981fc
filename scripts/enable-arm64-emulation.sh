#!/usr/bin/env bash
# Lets this x86_64 machine run arm64 build containers: qemu-user-static registered with
# binfmt_misc with the F (fix binary) flag, so the emulator is found inside containers
# and debootstrap chroots that do not contain it. Needs root; idempotent.
set -euo pipefail

[ "$(uname -m)" = aarch64 ] && exit 0
if [ ! -x /usr/bin/qemu-aarch64-static ]; then
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq qemu-user-static binfmt-support >/dev/null
fi
binfmt=/proc/sys/fs/binfmt_misc
[ -e "$binfmt/register" ] || mount binfmt_misc -t binfmt_misc "$binfmt"
entry="$binfmt/qemu-aarch64"
if [ -e "$entry" ] && grep -q '^flags: .*F' "$entry" && grep -q '^enabled' "$entry"; then
  exit 0
fi
[ -e "$entry" ] && echo -1 > "$entry"
magic='\x7fELF\x02\x01\x01\x00\x00\x00\x00\x00\x00\x00\x00\x00\x02\x00\xb7\x00'
mask='\xff\xff\xff\xff\xff\xff\xff\x00\xff\xff\xff\xff\xff\xff\xff\xff\xfe\xff\xff\xff'
printf ':qemu-aarch64:M::%s:%s:/usr/bin/qemu-aarch64-static:FP\n' "$magic" "$mask" > "$binfmt/register"
grep -q '^flags: .*F' "$entry"
echo "enable-arm64-emulation: qemu-aarch64 registered (F flag)" >&2
