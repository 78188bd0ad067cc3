package fashion.display;

import java.util.Map;

import org.rapaio.jupyter.kernel.display.DefaultDisplayRenderer;
import org.rapaio.jupyter.kernel.display.DisplayData;
import org.rapaio.jupyter.kernel.display.DisplayRenderer;
import org.rapaio.jupyter.kernel.display.DisplayTransformer;

/**
 * A {@code text/plain} version for every value the kernel would otherwise show through its fallback renderer.
 *
 * <p>rapaio-jupyter-kernel 3.0.1 renders a value that no renderer claims (a number, a string, any object) by its
 * {@code toString()} under the notebook's default MIME type, {@code text/html} only; consoles,
 * {@code nbconvert --to markdown/latex}, screen readers and Jupyter's kernel test suite need {@code text/plain}.
 * The kernel asks display transformers only for such values (after every renderer declined), so the
 * {@link #TRANSFORMER} wraps them in a {@link Value}, and the {@link #RENDERER} gives the kernel's own rendering
 * with {@code text/plain} beside it. Maps (which the kernel shows as tables) and the kernel's own option
 * objects are left to the kernel's transformers.
 */
final class PlainText {

    private PlainText() {
    }

    /** A value shown through the kernel's fallback, wrapped so that {@link #RENDERER} claims it. */
    record Value(Object value) {
    }

    private static final DefaultDisplayRenderer KERNEL_FALLBACK = new DefaultDisplayRenderer();

    static final DisplayTransformer TRANSFORMER = new DisplayTransformer() {
        @Override
        public boolean canTransform(Object o) {
            return o != null && !(o instanceof Map) && !(o instanceof Value)
                    && !o.getClass().getName().startsWith("org.rapaio.jupyter.kernel.");
        }

        @Override
        public Class<?> transformedClass() {
            return Value.class;
        }

        @Override
        public Object transform(Object o) {
            return new Value(o);
        }
    };

    static final DisplayRenderer RENDERER = new DisplayRenderer() {
        @Override
        public Class<?> rendererClass() {
            return Value.class;
        }

        @Override
        public boolean canRender(String mime) {
            return true;
        }

        @Override
        public DisplayData render(String mime, Object o) {
            Object value = ((Value) o).value();
            DisplayData data = KERNEL_FALLBACK.render(mime, value);
            if (!data.data().containsKey("text/plain")) {
                data.putText(String.valueOf(value));
            }
            return data;
        }
    };
}
