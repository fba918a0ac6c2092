"""Rules for leaving expert selection: the accepted panel is large enough and balanced."""

from __future__ import annotations

from states.config import RuleConfig
from states.i18n import Text, percent_text
from states.rules.base import rule
from states.snapshot import Part, Perspective, ProcedureSnapshot
from states.verdicts import Verdict, check


@rule("panel.size", Part.EXPERTS, deviable=True)
def panel_size(snapshot: ProcedureSnapshot, config: RuleConfig) -> Verdict:
    accepted = len(snapshot.accepted_experts())
    low, high = config.panel.min_accepted, config.panel.max_accepted
    return check(
        low <= accepted <= high,
        "",
        Text(
            f"Het panel telt {low} tot en met {high} experts die hebben toegezegd",
            f"The panel has {low} to {high} accepted experts",
        ),
        Text(
            f"{accepted} experts toegezegd, toegestaan {low} tot en met {high}",
            f"{accepted} experts accepted, allowed {low} to {high}",
        ),
        accepted=accepted,
        minimum=low,
        maximum=high,
    )


@rule("panel.external_share", Part.EXPERTS, deviable=True)
def external_share(snapshot: ProcedureSnapshot, config: RuleConfig) -> Verdict:
    accepted = snapshot.accepted_experts()
    total = len(accepted)
    external = sum(1 for e in accepted if e.perspective is Perspective.EXTERNAL)
    low, high = config.panel.min_external_percent, config.panel.max_external_percent
    # Compare in whole numbers: 2/5 is exactly 40%, and floats must not make it 39.99%.
    ok = total > 0 and low * total <= 100 * external <= high * total
    bound = low
    if total and 100 * external < low * total:
        bound_nl, bound_en = f"minimaal {low}%", f"at least {low}%"
    elif total and 100 * external > high * total:
        bound, bound_nl, bound_en = high, f"maximaal {high}%", f"at most {high}%"
    else:
        bound_nl, bound_en = f"toegestaan {low}-{high}%", f"allowed {low}-{high}%"
    return check(
        ok,
        "",
        Text(
            "Het maatschappelijk perspectief (externe experts) is evenwichtig vertegenwoordigd",
            "The society perspective (external experts) is represented in balance",
        ),
        Text(
            f"{external} van {total} experts extern "
            f"({percent_text(external, total, bound)}%), {bound_nl}",
            f"{external} of {total} experts external "
            f"({percent_text(external, total, bound, 'en')}%), {bound_en}",
        ),
        external=external,
        accepted=total,
        min_percent=low,
        max_percent=high,
    )


@rule("panel.external_profiles", Part.EXPERTS, deviable=True)
def external_profiles(snapshot: ProcedureSnapshot, config: RuleConfig) -> Verdict:
    covered = {
        e.profile for e in snapshot.accepted_experts() if e.perspective is Perspective.EXTERNAL
    }
    required = config.profiles.required_external
    missing = [p for p in required if p not in covered]
    have = len(required) - len(missing)
    suffix_nl = f"; ontbreekt: {', '.join(missing)}" if missing else ""
    suffix_en = f"; missing: {', '.join(missing)}" if missing else ""
    return check(
        not missing,
        "",
        Text(
            "Onder de externe experts is elk vereist profiel vertegenwoordigd",
            "Every required profile is among the accepted external experts",
        ),
        Text(
            f"{have} van {len(required)} vereiste profielen{suffix_nl}",
            f"{have} of {len(required)} required profiles{suffix_en}",
        ),
        missing=missing,
    )


RULES = [panel_size, external_share, external_profiles]
