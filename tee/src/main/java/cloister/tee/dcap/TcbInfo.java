package cloister.tee.dcap;

import cloister.common.Hex;
import cloister.tee.Platform;
import cloister.tee.QuoteRefusal;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * Intel's TCB info (PCS API v4, TCB info version 3) for one FMSPC: the platform TCB levels, newest first, each with
 * its status and advisories; for TDX also the TDX components of each level and the TDX module identities. Only
 * version 3 is accepted (version 2 names its SVN fields differently and has no TDX data) and only TCB type 0 (SVNs
 * compared component by component).
 */
record TcbInfo(Platform platform, Instant issueDate, Instant nextUpdate, byte[] fmspc, byte[] pceId,
               List<Level> levels, Optional<ModuleIdentity> tdxModule, List<ModuleIdentity> tdxModuleIdentities) {
    static final int VERSION = 3;
    static final int COMPONENTS = 16;
    private static final int MRSIGNER_SEAM_LENGTH = 48;
    private static final int SEAM_ATTRIBUTES_LENGTH = 8;

    /** A platform TCB level; {@code tdxComponents} is empty in SGX TCB info. */
    record Level(int[] sgxComponents, int pceSvn, int[] tdxComponents, StatusWithAdvisories status) {}

    /** The TDX module's expected signer and attributes, and (for an identity) its TCB levels, newest first. */
    record ModuleIdentity(String id, byte[] mrSigner, byte[] attributes, List<ModuleLevel> levels) {}

    record ModuleLevel(int isvSvn, StatusWithAdvisories status) {}

    static TcbInfo parse(String json, Platform platform) throws DcapRefusal {
        JsonFields info = JsonFields.parse(json, "tcb_info");
        String expectedId = platform == Platform.TDX ? "TDX" : "SGX";
        String id = info.text("id");
        if (!id.equals(expectedId)) {
            throw JsonFields.refusal("the TCB info is for '" + id + "', the quote is " + expectedId);
        }
        int version = info.integer("version", 0, Integer.MAX_VALUE);
        if (version != VERSION) {
            throw JsonFields.refusal("TCB info version " + version + " is not supported (only " + VERSION + ")");
        }
        if (info.integer("tcbType", 0, Integer.MAX_VALUE) != 0) {
            throw JsonFields.refusal("TCB info tcbType is not 0");
        }
        boolean tdx = platform == Platform.TDX;
        List<Level> levels = new ArrayList<>();
        for (JsonFields level : info.objects("tcbLevels")) {
            JsonFields tcb = level.object("tcb");
            levels.add(new Level(components(tcb, "sgxtcbcomponents"), tcb.integer("pcesvn", 0, 0xffff),
                    tdx ? components(tcb, "tdxtcbcomponents") : new int[0], status(level)));
        }
        // Intel's QVL keeps levels in a set ordered by SGX components, then PCESVN, then TDX components, newest
        // first, and takes the first that matches; sorting here does the same whatever the JSON order is.
        Comparator<Level> newestFirst = Comparator.<Level, int[]>comparing(Level::sgxComponents, Arrays::compare)
                .thenComparingInt(Level::pceSvn)
                .thenComparing(Level::tdxComponents, Arrays::compare)
                .reversed();
        levels.sort(newestFirst);
        Optional<ModuleIdentity> module = Optional.empty();
        List<ModuleIdentity> identities = new ArrayList<>();
        if (tdx) {
            if (info.has("tdxModule")) {
                module = Optional.of(moduleIdentity(info.object("tdxModule"), "", false));
            }
            if (info.has("tdxModuleIdentities")) {
                for (JsonFields identity : info.objects("tdxModuleIdentities")) {
                    identities.add(moduleIdentity(identity, identity.text("id"), true));
                }
            }
        }
        return new TcbInfo(platform, info.instant("issueDate"), info.instant("nextUpdate"), info.hex("fmspc", 6),
                info.hex("pceId", 2), List.copyOf(levels), module, List.copyOf(identities));
    }

    /**
     * The platform's TCB level: the first (newest) level whose SGX components and PCESVN the PCK certificate meets
     * or exceeds, and for TDX whose TDX components the TD report's TEE_TCB_SVN meets or exceeds (Intel QVL
     * {@code matchTcbLevels}).
     */
    StatusWithAdvisories platformLevel(PckCertificate pck, TdReport10 td) throws DcapRefusal {
        if (!Arrays.equals(pck.fmspc(), fmspc)) {
            throw JsonFields.refusal("the TCB info is for FMSPC " + Hex.encode(fmspc) + ", the PCK certificate's is "
                    + Hex.encode(pck.fmspc()));
        }
        if (!Arrays.equals(pck.pceId(), pceId)) {
            throw JsonFields.refusal("the TCB info is for PCE-ID " + Hex.encode(pceId) + ", the PCK certificate's is "
                    + Hex.encode(pck.pceId()));
        }
        for (Level level : levels) {
            if (atLeast(pck.cpuSvnComponents(), level.sgxComponents(), 0) && pck.pceSvn() >= level.pceSvn()
                    && (td == null || atLeast(td.teeTcbSvn(), level.tdxComponents(), td.tdxModuleMajorVersion() > 0 ? 2 : 0))) {
                return level.status();
            }
        }
        throw new DcapRefusal(QuoteRefusal.TCB_NOT_ACCEPTED, "no TCB level of the TCB info matches the platform (SGX SVNs "
                + Arrays.toString(pck.cpuSvnComponents()) + ", PCESVN " + pck.pceSvn()
                + (td == null ? "" : ", TEE_TCB_SVN " + Hex.encode(td.teeTcbSvn())) + ")");
    }

    /**
     * Checks the TDX module against the TCB info (Intel QVL QuoteVerifier 4.1.2.4.11 and {@code TdxModuleCheck}) and
     * returns its TCB status. A module of major version 0 is checked against {@code tdxModule} and has no levels
     * (up to date); a later one against the identity {@code TDX_<major version, 2 hex digits>}, whose levels are
     * matched on the module's SVN. MRSIGNERSEAM must equal the expected signer; SEAMATTRIBUTES must be zero and equal
     * to the expected attributes, without applying the mask, as Intel's QVL requires.
     */
    StatusWithAdvisories tdxModuleStatus(TdReport10 td) throws DcapRefusal {
        int major = td.tdxModuleMajorVersion();
        ModuleIdentity expected;
        if (major == 0) {
            expected = tdxModule.orElseThrow(() -> JsonFields.refusal("the TDX TCB info has no tdxModule"));
        } else {
            String id = String.format(Locale.ROOT, "TDX_%02X", major);
            expected = tdxModuleIdentities.stream().filter(m -> m.id().toUpperCase(Locale.ROOT).equals(id)).findFirst()
                    .orElseThrow(() -> new DcapRefusal(QuoteRefusal.TCB_NOT_ACCEPTED,
                            "the TCB info has no identity " + id + " for the platform's TDX module"));
        }
        if (!Arrays.equals(td.mrSignerSeam(), expected.mrSigner())) {
            throw new DcapRefusal(QuoteRefusal.TCB_NOT_ACCEPTED, "the TDX module's signer (MRSIGNERSEAM "
                    + Hex.encode(td.mrSignerSeam()) + ") is not the one the TCB info names");
        }
        byte[] zero = new byte[SEAM_ATTRIBUTES_LENGTH];
        if (!Arrays.equals(td.seamAttributes(), zero) || !Arrays.equals(expected.attributes(), zero)) {
            throw new DcapRefusal(QuoteRefusal.TCB_NOT_ACCEPTED, "the TDX module's SEAMATTRIBUTES "
                    + Hex.encode(td.seamAttributes()) + " are not zero and equal to the TCB info's "
                    + Hex.encode(expected.attributes()));
        }
        if (major == 0) {
            return new StatusWithAdvisories(TcbStatus.UP_TO_DATE, List.of());
        }
        for (ModuleLevel level : expected.levels()) {
            if (td.tdxModuleSvn() >= level.isvSvn()) {
                return level.status();
            }
        }
        throw new DcapRefusal(QuoteRefusal.TCB_NOT_ACCEPTED, "the TDX module's SVN " + td.tdxModuleSvn()
                + " is below every level of " + expected.id());
    }

    /** Whether every component from {@code from} on is at least the level's (Intel QVL: any lower one fails). */
    private static boolean atLeast(byte[] svns, int[] level, int from) {
        int[] values = new int[svns.length];
        for (int i = 0; i < svns.length; i++) {
            values[i] = svns[i] & 0xff;
        }
        return atLeast(values, level, from);
    }

    private static boolean atLeast(int[] svns, int[] level, int from) {
        for (int i = from; i < level.length; i++) {
            if (svns[i] < level[i]) {
                return false;
            }
        }
        return true;
    }

    private static int[] components(JsonFields tcb, String field) throws DcapRefusal {
        List<JsonFields> components = tcb.objects(field);
        if (components.size() != COMPONENTS) {
            throw JsonFields.refusal(tcb.path() + "." + field + " has " + components.size() + " components, not " + COMPONENTS);
        }
        int[] svns = new int[COMPONENTS];
        for (int i = 0; i < COMPONENTS; i++) {
            svns[i] = components.get(i).integer("svn", 0, 255);
        }
        return svns;
    }

    static StatusWithAdvisories status(JsonFields level) throws DcapRefusal {
        String word = level.text("tcbStatus");
        TcbStatus status = TcbStatus.ofWord(word)
                .orElseThrow(() -> JsonFields.refusal(level.path() + ".tcbStatus '" + word + "' is not an Intel TCB status"));
        return new StatusWithAdvisories(status, level.strings("advisoryIDs"));
    }

    private static ModuleIdentity moduleIdentity(JsonFields module, String id, boolean withLevels) throws DcapRefusal {
        List<ModuleLevel> levels = new ArrayList<>();
        if (withLevels) {
            for (JsonFields level : module.objects("tcbLevels")) {
                levels.add(new ModuleLevel(level.object("tcb").integer("isvsvn", 0, 255), status(level)));
            }
            levels.sort(Comparator.comparingInt(ModuleLevel::isvSvn).reversed());
        }
        return new ModuleIdentity(id, module.hex("mrsigner", MRSIGNER_SEAM_LENGTH),
                module.hex("attributes", SEAM_ATTRIBUTES_LENGTH), List.copyOf(levels));
    }
}
