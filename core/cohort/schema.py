"""The panel's JSON (``python -m core cohort``): patients with flags, refused files, pooled."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field

from core.models import DiarySummary


class _Out(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class CohortPatient(_Out):
    """One diary file: its summary and the triage flags it raised."""

    file: str = Field(..., title="File", description="The file's name; the patient's label.")
    summary: DiarySummary = Field(..., title="Summary", description="As `diary` prints it.")
    flags: list[str] = Field(
        default_factory=list, title="Flags", description="Triage flag codes, most pressing first."
    )


class RefusedFile(_Out):
    """A file that was not read, and why."""

    file: str = Field(..., title="File", description="The file's name (path inside a ZIP).")
    error: str = Field(..., title="Error", description="Why it was refused.")


class PooledEstimate(_Out):
    """DerSimonian-Laird random-effects pool of the patients' log rate ratios."""

    rate_ratio: float = Field(..., title="Rate ratio", description="Pooled, after / before.")
    ci95: tuple[float, float] = Field(..., title="95% CI", description="exp(mu ± 1.96·SE).")
    i2: float = Field(..., title="I²", description="Heterogeneity, percent (0-100).")
    tau2: float = Field(..., title="τ²", description="Between-patient variance, log scale.")
    patients: int = Field(..., title="Patients", description="Patients pooled.")


class CohortReport(_Out):
    """Output of ``cohort``."""

    patients: list[CohortPatient] = Field(
        default_factory=list, title="Patients", description="Diaries read, in file order."
    )
    refused: list[RefusedFile] = Field(
        default_factory=list, title="Refused", description="Files not read, each with a reason."
    )
    pooled: PooledEstimate | None = Field(
        None, title="Pooled", description="Null when fewer than 2 patients have a comparison."
    )
