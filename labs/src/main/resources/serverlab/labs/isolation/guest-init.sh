#!/bin/busybox sh
# /init of VirtualMachine's guest: the kernel runs it as pid 1 from the initramfs, its stdin and stdout
# the serial console (ttyS0), which is qemu's stdin and stdout on the host.
/bin/busybox mount -t proc proc /proc
/bin/busybox --install -s /bin
export PATH=/bin
mount -t sysfs sysfs /sys
mount -t devtmpfs devtmpfs /dev
for module in $(cat /modules/order); do insmod /modules/$module; done    # virtio-pci and virtio-net
ip link set lo up
ip link set eth0 up
ip addr add 10.0.2.15/24 dev eth0         # qemu's user-mode network: the guest is 10.0.2.15, the host 10.0.2.2
ip route add default via 10.0.2.2
hello_server 0.0.0.0 8080 &
stty -echo
echo serverlab-ready
while read -r workload; do                # the host writes a workload's name, the guest answers with its run
  /bin/workload "$workload"
  echo "serverlab-done $?"
done
poweroff -f
