package fashion.kernel;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.rapaio.jupyter.kernel.GeneralProperties;
import org.rapaio.jupyter.kernel.core.LanguageInfo;
import org.rapaio.jupyter.kernel.message.ContentType;
import org.rapaio.jupyter.kernel.message.Header;
import org.rapaio.jupyter.kernel.message.MessageType;

/**
 * Reply contents that rapaio-jupyter-kernel 3.0.1 gets wrong or never sends, as the Jupyter messaging protocol (5.x)
 * defines them. Each is a map that the kernel's Gson serializes as the message's JSON content.
 */
@SuppressWarnings({"rawtypes", "unchecked"})
final class Replies {

    private Replies() {
    }

    /** A reply content: its fields in order, and the message type it is sent as. */
    static final class Content extends LinkedHashMap<String, Object> implements ContentType {
        private final transient MessageType type;

        Content(MessageType type) {
            this.type = type;
            put("status", "ok");
        }

        @Override
        public MessageType type() {
            return type;
        }
    }

    /**
     * The {@code kernel_info_reply}: the kernel's own fields (protocol version, implementation, language_info, banner,
     * help links) and the {@code status: "ok"} that every reply carries and the kernel leaves out.
     */
    static Content kernelInfo() {
        GeneralProperties properties = GeneralProperties.defaultProperties();
        LanguageInfo language = LanguageInfo.kernelLanguageInfo();
        Content c = new Content(MessageType.SHELL_KERNEL_INFO_REPLY);
        c.put("protocol_version", Header.PROTOCOL_VERSION);
        c.put("implementation", properties.getKernelName());
        c.put("implementation_version", properties.getKernelVersion());
        c.put("language_info", languageInfo(language));
        c.put("banner", "Java " + Runtime.version() + ", rapaio-jupyter-kernel " + properties.getKernelVersion());
        c.put("help_links", List.of(new LanguageInfo.Help("rapaio-jupyter-kernel homepage",
                "https://github.com/padreati/rapaio-jupyter-kernel")));
        return c;
    }

    /**
     * The kernel's language_info with the language's version ({@code "17"}: the Java SE feature release) instead
     * of the runtime's build ({@code "17.0.21.1+2-Debian-1deb12u1"}). Notebooks store language_info, and the
     * classic notebook marks a notebook changed when the kernel reports other values than the file holds: with the
     * build string, every JDK update (or another machine's JDK) would dirty every committed notebook on opening.
     * The build stays in the banner.
     */
    static Map<String, Object> languageInfo(LanguageInfo language) {
        Map<String, Object> info = new LinkedHashMap<>();
        info.put("name", language.name());
        info.put("version", String.valueOf(Runtime.version().feature()));
        info.put("mimetype", language.mimetype());
        info.put("file_extension", language.fileExtension());
        info.put("pygments_lexer", language.pygmentsLexer());
        info.put("codemirror_mode", language.codemirrorMode());
        info.put("nbconvert_exporter", language.nbconvertExporter());
        return info;
    }

    /**
     * The {@code history_reply}: an empty history. The kernel keeps none and never answered a history request,
     * which leaves a client (a console's history, the kernel test suite) waiting forever.
     */
    static Content emptyHistory() {
        Content c = new Content(new MessageType<>("history_reply", Object.class));
        c.put("history", List.of());
        return c;
    }
}
