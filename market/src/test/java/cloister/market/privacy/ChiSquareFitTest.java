package cloister.market.privacy;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

/** The test's own yardstick: the Wilson–Hilferty critical values against a printed table. */
class ChiSquareFitTest {
    @Test
    void wilsonHilfertyIsCloseToTabulatedCriticalValues() {
        // Upper 0.001 points of χ², e.g. NIST/SEMATECH e-Handbook of Statistical Methods, table 1.3.6.7.4.
        int[] df = {5, 9, 10, 20, 30, 50, 100};
        double[] table = {20.515, 27.877, 29.588, 45.315, 59.703, 86.661, 149.449};
        for (int i = 0; i < df.length; i++) {
            double approximation = ChiSquareFit.critical(df[i]);
            assertEquals(table[i], approximation, 0.012 * table[i], "df " + df[i]);
        }
    }

    @Test
    void statisticOfAPerfectFitIsZero() {
        ChiSquareFit.Result fit = ChiSquareFit.ofCounts("perfect", new long[] {50, 30, 20}, new double[] {0.5, 0.3, 0.2});
        assertEquals(0.0, fit.statistic(), 1e-12);
        assertEquals(2, fit.degreesOfFreedom());
    }
}
