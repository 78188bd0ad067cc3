package fashion.kernel;

import java.util.LinkedHashMap;
import java.util.List;

import org.rapaio.jupyter.kernel.GeneralProperties;
import org.rapaio.jupyter.kernel.core.LanguageInfo;
import org.rapaio.jupyter.kernel.message.ContentType;
import org.rapaio.jupyter.kernel.message.Header;
import org.rapaio.jupyter.kernel.message.MessageType;

/**
 * The content of a {@code kernel_info_reply} as the Jupyter messaging protocol (5.x) defines it: the kernel's own
 * fields (protocol version, implementation, language_info, banner, help links) and the {@code status: "ok"}
 * that every reply carries and rapaio-jupyter-kernel 3.0.1 leaves out. Serialized by the kernel's Gson as a map.
 */
@SuppressWarnings({"rawtypes", "unchecked"})
final class KernelInfo extends LinkedHashMap<String, Object> implements ContentType {

    KernelInfo() {
        GeneralProperties properties = GeneralProperties.defaultProperties();
        LanguageInfo language = LanguageInfo.kernelLanguageInfo();
        put("status", "ok");
        put("protocol_version", Header.PROTOCOL_VERSION);
        put("implementation", properties.getKernelName());
        put("implementation_version", properties.getKernelVersion());
        put("language_info", language);
        put("banner", language.name() + " " + language.version());
        put("help_links", List.of(new LanguageInfo.Help("rapaio-jupyter-kernel homepage",
                "https://github.com/padreati/rapaio-jupyter-kernel")));
    }

    @Override
    public MessageType type() {
        return MessageType.SHELL_KERNEL_INFO_REPLY;
    }
}
