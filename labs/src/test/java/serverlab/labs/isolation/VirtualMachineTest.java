package serverlab.labs.isolation;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.Set;

import org.junit.jupiter.api.Test;

class VirtualMachineTest {

    /** What Debian 12's cloud kernel lists for the modules the guest loads. */
    private static final String MODULES_DEP = """
            kernel/drivers/virtio/virtio.ko: kernel/drivers/virtio/virtio_ring.ko
            kernel/drivers/virtio/virtio_ring.ko:
            kernel/drivers/virtio/virtio_pci_modern_dev.ko:
            kernel/drivers/virtio/virtio_pci_legacy_dev.ko:
            kernel/drivers/virtio/virtio_pci.ko: kernel/drivers/virtio/virtio_pci_legacy_dev.ko kernel/drivers/virtio/virtio_pci_modern_dev.ko kernel/drivers/virtio/virtio.ko kernel/drivers/virtio/virtio_ring.ko
            kernel/drivers/net/virtio_net.ko: kernel/drivers/net/net_failover.ko kernel/net/core/failover.ko kernel/drivers/virtio/virtio.ko kernel/drivers/virtio/virtio_ring.ko
            kernel/drivers/net/net_failover.ko: kernel/net/core/failover.ko
            kernel/net/core/failover.ko:
            kernel/drivers/net/dummy.ko:
            """;

    @Test
    void bootsAnswersThroughTheForwardedPortRunsTheWorkloadInsideAndLeavesNothingBehind() {
        VirtualMachine.Availability tools = VirtualMachine.availability();
        assumeTrue(tools.available(), tools.missing());
        long pid;
        Path directory;
        try (VirtualMachine vm = VirtualMachine.boot(Duration.ofSeconds(60))) {
            pid = vm.pid();
            directory = vm.directory();
            assertEquals(vm.accelerator().equals("tcg"), vm.whyNotKvm().isPresent(), vm.accelerator() + " " + vm.whyNotKvm());
            assertTrue(vm.bootMillis() > 0 && vm.bootMillis() < 60_000, "boot " + vm.bootMillis() + " ms");
            assertTrue(vm.roundTripMicros(20) > 0);
            Emulation.Run inside = vm.runInGuest(Emulation.Workload.CPU_BOUND);
            assertEquals(Emulation.run(Emulation.Arch.HOST, Emulation.Workload.CPU_BOUND).checksum(), inside.checksum(), vm.console());
            assertTrue(inside.millis() > 0);
            assertTrue(vm.console().contains("serverlab-ready") && !vm.console().contains("\u001B"), vm.console());
        }
        assertFalse(ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false), "qemu " + pid + " still runs");
        assertFalse(Files.exists(directory), directory + " is left behind");
    }

    @Test
    void modulesLoadAfterTheirDependenciesEachOnce() {
        assertEquals(List.of("kernel/drivers/virtio/virtio_pci_legacy_dev.ko", "kernel/drivers/virtio/virtio_pci_modern_dev.ko",
                        "kernel/drivers/virtio/virtio_ring.ko", "kernel/drivers/virtio/virtio.ko", "kernel/drivers/virtio/virtio_pci.ko",
                        "kernel/net/core/failover.ko", "kernel/drivers/net/net_failover.ko", "kernel/drivers/net/virtio_net.ko"),
                VirtualMachine.loadOrder(MODULES_DEP, "virtio_pci", "virtio_net"));
    }

    @Test
    void aModuleThatModulesDepDoesNotListIsBuiltIn() {
        assertEquals(List.of("kernel/drivers/net/dummy.ko"), VirtualMachine.loadOrder(MODULES_DEP, "e1000", "dummy"));
    }

    @Test
    void kvmIsTriedOnlyWithTheCpusExtensionsAndAUsableDevice() {
        assertEquals(Optional.empty(), VirtualMachine.whyNotKvm(Set.of("svm", "hypervisor"), true, true, false));
        assertTrue(VirtualMachine.whyNotKvm(Set.of("vmx"), false, false, false).orElseThrow().contains("no /dev/kvm"));
        assertTrue(VirtualMachine.whyNotKvm(Set.of("vmx"), true, false, false).orElseThrow().contains("kvm group"));
        assertTrue(VirtualMachine.whyNotKvm(Set.of("sse2"), true, true, false).orElseThrow().contains("virtualization is off"));
        String nested = VirtualMachine.whyNotKvm(Set.of("sse2", "hypervisor"), true, true, true).orElseThrow();
        assertTrue(nested.contains("no vmx/svm flag (this machine is itself a VM") && nested.contains("kvm_pvm"), nested);
    }
}
