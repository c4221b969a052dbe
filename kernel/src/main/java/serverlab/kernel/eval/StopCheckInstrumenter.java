package serverlab.kernel.eval;

import org.objectweb.asm.ClassReader;
import org.objectweb.asm.ClassVisitor;
import org.objectweb.asm.ClassWriter;
import org.objectweb.asm.Label;
import org.objectweb.asm.MethodVisitor;
import org.objectweb.asm.Opcodes;

import java.util.HashSet;
import java.util.Set;

/**
 * Rewrites the bytecode of cell snippets so that an interrupt can stop a busy loop
 * (Thread.interrupt alone cannot): a {@link CellGuard#check()} call at method entry
 * and before each backward jump, the same places JShell's own local engine uses.
 * It also turns {@code System.exit} into an exception instead of a dead kernel.
 */
final class StopCheckInstrumenter {
    private static final String GUARD = CellGuard.class.getName().replace('.', '/');

    private StopCheckInstrumenter() {}

    static byte[] instrument(byte[] classFile) {
        ClassReader reader = new ClassReader(classFile);
        // Inserted calls take and leave nothing on the stack, so existing frames stay valid.
        ClassWriter writer = new ClassWriter(reader, ClassWriter.COMPUTE_MAXS);
        reader.accept(new ClassVisitor(Opcodes.ASM9, writer) {
            @Override
            public MethodVisitor visitMethod(int access, String name, String descriptor, String signature, String[] exceptions) {
                MethodVisitor next = super.visitMethod(access, name, descriptor, signature, exceptions);
                return next == null ? null : new GuardedMethod(next);
            }
        }, 0);
        return writer.toByteArray();
    }

    private static final class GuardedMethod extends MethodVisitor {
        private final Set<Label> seen = new HashSet<>();

        GuardedMethod(MethodVisitor next) {
            super(Opcodes.ASM9, next);
        }

        @Override
        public void visitCode() {
            super.visitCode();
            check();
        }

        @Override
        public void visitLabel(Label label) {
            seen.add(label);
            super.visitLabel(label);
        }

        @Override
        public void visitJumpInsn(int opcode, Label target) {
            if (seen.contains(target)) check();   // a backward jump closes a loop
            super.visitJumpInsn(opcode, target);
        }

        @Override
        public void visitMethodInsn(int opcode, String owner, String name, String descriptor, boolean isInterface) {
            boolean systemExit = opcode == Opcodes.INVOKESTATIC && owner.equals("java/lang/System")
                    && name.equals("exit") && descriptor.equals("(I)V");
            boolean runtimeExit = opcode == Opcodes.INVOKEVIRTUAL && owner.equals("java/lang/Runtime")
                    && (name.equals("exit") || name.equals("halt")) && descriptor.equals("(I)V");
            if (systemExit) {
                super.visitMethodInsn(Opcodes.INVOKESTATIC, GUARD, "exit", "(I)V", false);
            } else if (runtimeExit) {
                super.visitMethodInsn(Opcodes.INVOKESTATIC, GUARD, "exit", "(Ljava/lang/Runtime;I)V", false);
            } else {
                super.visitMethodInsn(opcode, owner, name, descriptor, isInterface);
            }
        }

        private void check() {
            super.visitMethodInsn(Opcodes.INVOKESTATIC, GUARD, "check", "()V", false);
        }
    }
}
