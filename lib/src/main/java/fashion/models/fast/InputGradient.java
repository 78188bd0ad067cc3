package fashion.models.fast;

/**
 * Whether a layer's backward pass may skip the gradient with respect to its input. Shared by the project's fast
 * layers: the first layer of a network computes that gradient for nothing during training (it is the gradient
 * with respect to the images), and for a dense or convolutional first layer it is as costly as the weight gradient.
 */
public final class InputGradient {
    private static final StackWalker STACK = StackWalker.getInstance();

    private InputGradient() {
    }

    /**
     * True when the layer at {@code layerIndex} is the network's first and this backward pass is part of
     * {@code fit}/{@code computeGradientAndScore}, which discard the input gradient; false when a caller asked for it
     * ({@code MultiLayerNetwork.backpropGradient}), for any other layer, or when a layer is used on its own.
     */
    public static boolean unused(int layerIndex) {
        if (layerIndex != 0) {
            return false;
        }
        return STACK.walk(frames -> {
            boolean[] found = new boolean[2];
            frames.forEach(f -> {
                if (f.getClassName().equals("org.deeplearning4j.nn.multilayer.MultiLayerNetwork")) {
                    if (f.getMethodName().equals("backpropGradient")) {
                        found[0] = true;
                    } else if (f.getMethodName().equals("computeGradientAndScore")) {
                        found[1] = true;
                    }
                }
            });
            return found[1] && !found[0];
        });
    }
}
