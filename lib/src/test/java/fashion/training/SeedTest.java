package fashion.training;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import fashion.data.FashionMnist;
import fashion.data.QuickMode;
import fashion.models.Model;
import fashion.models.Models;

/** Weight initialisation, shuffling, dropout and augmentation all follow the seeds, whatever ran before. */
class SeedTest {
    @AfterEach
    void environmentQuickMode() {
        QuickMode.override(null);
    }

    static INDArray trained(FashionMnist data, long modelSeed, long trainingSeed) {
        Model model = Models.dense().width(16).dropout(0.3).learningRate(1e-3).seed(modelSeed).build();
        // draw from ND4J's generator, as other cells of a notebook might, between building and training
        Nd4j.rand(7, 7);
        Training.fit(model, data.train().balancedHead(30), data.validation(),
                TrainingOptions.epochs(1).flipHorizontally(true).shiftRandomly(1).seed(trainingSeed).progress(false));
        return model.network().params().dup();
    }

    @Test
    void theSameSeedsGiveTheSameNetworkAndOtherSeedsAnother() {
        QuickMode.override(true);
        FashionMnist data = FashionMnist.load(FashionMnist.DEBIAN_FOLDER);
        INDArray a = trained(data, 42, 1);
        INDArray b = trained(data, 42, 1);
        assertEquals(a, b, "dropout, shuffling and augmentation are reproducible");
        assertNotEquals(a, trained(data, 43, 1), "the model seed changes the network");
        assertNotEquals(a, trained(data, 42, 2), "the training seed changes the network");
        // without training, the model seed alone sets the weights
        assertEquals(Models.dense().width(16).seed(7).build().network().params(), Models.dense().width(16).seed(7).build().network().params());
        assertNotEquals(Models.dense().width(16).seed(7).build().network().params(), Models.dense().width(16).seed(8).build().network().params());
    }
}
