package fashion.training;

/**
 * The measurements after one epoch. Training loss and accuracy are measured at the end of the epoch, in
 * inference mode, on a fixed sample of the training set; validation ones on the whole validation set. Both
 * losses include the L2 penalty. {@code batchLoss} is the mean minibatch loss during the epoch (Keras' "loss").
 */
public record Epoch(int epoch, double trainLoss, double trainAccuracy, double validationLoss, double validationAccuracy,
        double batchLoss, double seconds) {
}
