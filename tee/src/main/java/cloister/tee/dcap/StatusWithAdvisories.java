package cloister.tee.dcap;

import java.util.ArrayList;
import java.util.List;

/** A matched TCB level's status and the Intel security advisories listed with it (dcap-qvl {@code TcbStatusWithAdvisory}). */
record StatusWithAdvisories(TcbStatus status, List<String> advisoryIds) {
    StatusWithAdvisories {
        advisoryIds = List.copyOf(advisoryIds);
    }

    /**
     * This platform status converged with a component's (QE or TDX module, see {@link TcbStatus#convergeWith}); the
     * component's advisories are appended after this one's, without repeats, as dcap-qvl's {@code merge} does.
     */
    StatusWithAdvisories convergeWith(StatusWithAdvisories component) {
        List<String> ids = new ArrayList<>(advisoryIds);
        for (String id : component.advisoryIds) {
            if (!ids.contains(id)) {
                ids.add(id);
            }
        }
        return new StatusWithAdvisories(status.convergeWith(component.status), ids);
    }
}
