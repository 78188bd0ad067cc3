package fashion.plots;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.jupiter.api.Test;

import fashion.evaluation.ConfusionMatrix;
import fashion.training.Epoch;
import fashion.training.History;

class PlotsTest {
    static int count(String text, String regex) {
        Matcher m = Pattern.compile(regex).matcher(text);
        int n = 0;
        while (m.find()) {
            n++;
        }
        return n;
    }

    @Test
    void historyFigureHoldsFourCurvesOnTwoAxes() {
        History h = History.of("m", 32, 100, List.of(new Epoch(1, 0.9, 0.7, 0.95, 0.68, 1.0, 2.0),
                new Epoch(2, 0.6, 0.8, 0.7, 0.77, 0.7, 2.1)), History.Status.COMPLETED, "");
        String js = Plots.history(h).javascript();
        assertEquals(4, count(js, "type: 'scatter'"));
        for (String name : new String[] {"training loss", "validation loss", "training accuracy", "validation accuracy"}) {
            assertTrue(js.contains("name: '" + name + "'"), name);
        }
        assertEquals(2, count(js, "yaxis: 'y2'"));
        assertTrue(js.contains("[0.7,0.77]") || js.contains("[0.7, 0.77]") || js.contains("0.77"), js);
    }

    @Test
    void confusionFigureIsAnAnnotatedHeatmapWithClassNames() {
        ConfusionMatrix m = ConfusionMatrix.of("test", new int[] {0, 1, 1}, new int[] {0, 1, 0}, List.of("Coat", "Shirt"));
        Chart chart = Plots.confusion(m);
        String js = chart.javascript();
        assertEquals(1, count(js, "type: 'heatmap'"));
        assertTrue(js.contains("Coat") && js.contains("Shirt"));
        assertTrue(chart.extraJs().contains("trace0.text = [[1,0],[1,1]]"), chart.extraJs());
        assertTrue(chart.extraJs().contains("texttemplate"));
        assertTrue(chart.title().contains("3 images"));
    }
}
