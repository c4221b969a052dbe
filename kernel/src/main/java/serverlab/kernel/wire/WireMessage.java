package serverlab.kernel.wire;

import com.google.gson.Gson;
import com.google.gson.GsonBuilder;
import com.google.gson.JsonObject;
import com.google.gson.reflect.TypeToken;
import io.github.spencerpark.jupyter.kernel.ExpressionValue;
import io.github.spencerpark.jupyter.kernel.history.HistoryEntry;
import io.github.spencerpark.jupyter.messages.Header;
import io.github.spencerpark.jupyter.messages.KernelTimestamp;
import io.github.spencerpark.jupyter.messages.Message;
import io.github.spencerpark.jupyter.messages.MessageType;
import io.github.spencerpark.jupyter.messages.ReplyType;
import io.github.spencerpark.jupyter.messages.adapters.ExpressionValueAdapter;
import io.github.spencerpark.jupyter.messages.adapters.HeaderAdapter;
import io.github.spencerpark.jupyter.messages.adapters.HistoryEntryAdapter;
import io.github.spencerpark.jupyter.messages.adapters.HistoryRequestAdapter;
import io.github.spencerpark.jupyter.messages.adapters.KernelTimestampAdapter;
import io.github.spencerpark.jupyter.messages.adapters.MessageTypeAdapter;
import io.github.spencerpark.jupyter.messages.adapters.PublishStatusAdapter;
import io.github.spencerpark.jupyter.messages.adapters.ReplyTypeAdapter;
import io.github.spencerpark.jupyter.messages.publish.PublishStatus;
import io.github.spencerpark.jupyter.messages.request.HistoryRequest;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

/**
 * Decodes one whole multipart message the way jupyter_client's Session does: routing identities,
 * the {@code <IDS|MSG>} delimiter, then signature, header, parent header, metadata, content and
 * any buffers. A message with fewer frames is refused as a whole, so the next one starts clean.
 */
final class WireMessage {
    static final byte[] DELIMITER = "<IDS|MSG>".getBytes(StandardCharsets.US_ASCII);
    /** signature, header, parent header, metadata, content */
    static final int MINIMUM_FRAMES = 5;

    // basekernel's JupyterSocket configures its (private) Gson exactly so: messages decode to the same classes.
    private static final Gson GSON = new GsonBuilder()
            .registerTypeAdapter(KernelTimestamp.class, KernelTimestampAdapter.INSTANCE)
            .registerTypeAdapter(Header.class, HeaderAdapter.INSTANCE)
            .registerTypeAdapter(MessageType.class, MessageTypeAdapter.INSTANCE)
            .registerTypeAdapter(PublishStatus.class, PublishStatusAdapter.INSTANCE)
            .registerTypeAdapter(HistoryRequest.class, HistoryRequestAdapter.INSTANCE)
            .registerTypeHierarchyAdapter(ReplyType.class, new ReplyTypeAdapter(new GsonBuilder()
                    .registerTypeAdapter(HistoryEntry.class, HistoryEntryAdapter.INSTANCE)
                    .registerTypeAdapter(ExpressionValue.class, ExpressionValueAdapter.INSTANCE)
                    .create()))
            .create();

    private WireMessage() {
    }

    @SuppressWarnings({"unchecked", "rawtypes"})
    static Message<?> decode(List<byte[]> frames, Signer signer) {
        int delimiter = indexOfDelimiter(frames);
        if (delimiter < 0) throw new RejectedMessage("no <IDS|MSG> delimiter in " + frames.size() + " frames");
        int after = frames.size() - delimiter - 1;
        if (after < MINIMUM_FRAMES) {
            throw new RejectedMessage(after + " frames after <IDS|MSG>, at least " + MINIMUM_FRAMES + " expected");
        }
        List<byte[]> parts = frames.subList(delimiter + 1, frames.size());
        byte[] header = parts.get(1), parentHeader = parts.get(2), metadata = parts.get(3), content = parts.get(4);
        signer.check(parts.get(0), header, parentHeader, metadata, content);
        try {
            Header<?> parsedHeader = GSON.fromJson(utf8(header), Header.class);
            JsonObject parent = GSON.fromJson(utf8(parentHeader), JsonObject.class);
            Header<?> parsedParent = parent == null || parent.size() == 0 ? null : GSON.fromJson(parent, Header.class);
            Map<String, Object> meta = GSON.fromJson(utf8(metadata), new TypeToken<Map<String, Object>>() { }.getType());
            Object body = GSON.fromJson(utf8(content), parsedHeader.getType().getContentType());
            return new Message(List.copyOf(frames.subList(0, delimiter)), parsedHeader, parsedParent, meta, body,
                    List.copyOf(parts.subList(MINIMUM_FRAMES, parts.size())));
        } catch (RuntimeException unparseable) {
            throw new RejectedMessage("unreadable JSON: " + unparseable);
        }
    }

    static int indexOfDelimiter(List<byte[]> frames) {
        for (int i = 0; i < frames.size(); i++) {
            if (Arrays.equals(DELIMITER, frames.get(i))) return i;
        }
        return -1;
    }

    private static String utf8(byte[] frame) {
        return new String(frame, StandardCharsets.UTF_8);
    }
}
