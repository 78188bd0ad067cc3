package fashion.kernel;

import java.lang.reflect.Field;
import java.util.HashMap;
import java.util.Map;

import org.rapaio.jupyter.kernel.channels.Channels;
import org.rapaio.jupyter.kernel.channels.MessageHandler;
import org.rapaio.jupyter.kernel.core.ConnectionProperties;
import org.rapaio.jupyter.kernel.core.RapaioKernel;
import org.rapaio.jupyter.kernel.message.Message;
import org.rapaio.jupyter.kernel.message.MessageType;
import org.rapaio.jupyter.kernel.message.messages.IOPubStatus;
import org.rapaio.jupyter.kernel.message.messages.ShellInspectRequest;

/**
 * Connects rapaio-jupyter-kernel 3.0.1's {@link Channels} in an order in which no message can arrive before its
 * handler exists; it replaces {@code Channels.connect(kernel)}.
 *
 * <p>The kernel's {@code connect} binds every socket and starts the shell, control and heartbeat threads first,
 * and only then creates the handler map; a request read in that window (a notebook server sends
 * {@code kernel_info_request} as soon as it has started the process) makes {@code getHandler} throw a
 * NullPointerException outside the loop's try/catch, and the shell thread dies while the heartbeat keeps
 * answering: a live kernel that never runs a cell. Here, in this order:
 * <ol>
 *   <li>the handler map is put into the Channels object, and the kernel is given its channels. The handlers
 *       are the kernel's own, except: {@code kernel_info_reply} carries {@code status} ({@link Replies}), a
 *       history request gets an (empty) reply instead of none, and an inspect request's cursor is read as
 *       Jupyter means it ({@link #atCharacterBeforeCursor});</li>
 *   <li>iopub is bound and publishes {@code status: starting}; then stdin, control and shell;</li>
 *   <li>the heartbeat last, since a client takes an answering heartbeat for a kernel that is up.</li>
 * </ol>
 * The channel objects and the handler map are private fields of {@code Channels}; they are reached by
 * reflection, which the class path's unnamed module allows. Every field is checked by name and type first, so
 * another kernel version fails at start with a message rather than misbehaving later.
 */
@SuppressWarnings({"rawtypes", "unchecked"})
final class OrderedConnect {

    private OrderedConnect() {
    }

    static void connect(Channels channels, RapaioKernel kernel, ConnectionProperties connection)
            throws ReflectiveOperationException {
        Map<MessageType<?>, MessageHandler> handlers = new HashMap<>();
        handlers.put(MessageType.SHELL_EXECUTE_REQUEST, kernel::handleExecuteRequest);
        handlers.put(MessageType.SHELL_INSPECT_REQUEST,
                message -> kernel.handleInspectRequest(atCharacterBeforeCursor((Message<ShellInspectRequest>) message)));
        handlers.put(MessageType.SHELL_COMPLETE_REQUEST, kernel::handleCompleteRequest);
        handlers.put(MessageType.SHELL_HISTORY_REQUEST, message -> {
            channels.busyThenIdle();
            channels.reply(Replies.emptyHistory());
        });
        handlers.put(MessageType.SHELL_IS_COMPLETE_REQUEST, kernel::handleIsCompleteRequest);
        handlers.put(MessageType.SHELL_KERNEL_INFO_REQUEST, message -> {
            channels.busyThenIdle();
            channels.reply(Replies.kernelInfo());
        });
        handlers.put(MessageType.CONTROL_SHUTDOWN_REQUEST, kernel::handleShutdownRequest);
        handlers.put(MessageType.CONTROL_INTERRUPT_REQUEST, kernel::handleInterruptRequest);
        handlers.put(MessageType.CUSTOM_COMM_OPEN, kernel::handleCommOpenCommand);
        handlers.put(MessageType.CUSTOM_COMM_MSG, kernel::handleCommMsgCommand);
        handlers.put(MessageType.CUSTOM_COMM_CLOSE, kernel::handleCommCloseCommand);
        handlers.put(MessageType.SHELL_COMM_INFO_REQUEST, kernel::handleCommInfoRequest);
        field(channels, "handlers", Map.class).set(channels, handlers);
        kernel.registerChannels(channels);

        var iopub = channel(channels, "iopub");
        iopub.bind(connection);
        iopub.sendMessage(new Message<>(MessageType.IOPUB_STATUS, IOPubStatus.STARTING));
        channel(channels, "stdin").bind(connection);
        var control = channel(channels, "control");
        control.bind(connection);
        // the kernel names the control channel's thread "Shell-N", like the shell's: name it for what it serves
        Thread controlThread = (Thread) field(control, "loopThread", Thread.class).get(control);
        controlThread.setName(controlThread.getName().replace("Shell-", "Control-"));
        channel(channels, "shell").bind(connection);
        channel(channels, "heartbeat").bind(connection);
        field(channels, "isConnected", boolean.class).setBoolean(channels, true);
    }

    /**
     * The inspect request with its cursor moved onto the character before it. Jupyter's {@code cursor_pos} is a
     * position between characters (after the word just typed, when Shift-Tab is pressed at its end); the kernel
     * reads it as the index of the character under the cursor, so at the end of the code it asked JShell about a
     * position past the end and found nothing ("String" + Shift-Tab: found false).
     */
    private static Message<ShellInspectRequest> atCharacterBeforeCursor(Message<ShellInspectRequest> m) {
        ShellInspectRequest r = m.content();
        if (r.cursorPos() <= 0) {
            return m;
        }
        var moved = new ShellInspectRequest(r.code(), r.cursorPos() - 1, r.detailLevel());
        return new Message<>(m.identities(), m.header(), m.parentHeader(), m.metadata(), moved, m.buffers());
    }

    private static org.rapaio.jupyter.kernel.channels.AbstractChannel channel(Channels channels, String name)
            throws ReflectiveOperationException {
        return (org.rapaio.jupyter.kernel.channels.AbstractChannel)
                field(channels, name, org.rapaio.jupyter.kernel.channels.AbstractChannel.class).get(channels);
    }

    private static Field field(Object owner, String name, Class<?> type) throws NoSuchFieldException {
        Field f = owner.getClass().getDeclaredField(name);
        if (!type.isAssignableFrom(f.getType()) && !(type.isPrimitive() && f.getType() == type)) {
            throw new IllegalStateException(owner.getClass().getName() + "." + name + " is a " + f.getType().getName()
                    + ", not a " + type.getName() + ": this launcher is written for rapaio-jupyter-kernel 3.0.1");
        }
        f.setAccessible(true);
        return f;
    }
}
