"""A long job in the status bar: what it is doing, how far it is, and a Cancel button.

"Suggest all documents" runs here instead of in a modal dialog, so the person keeps labelling
while it runs (:class:`ui.jobs.WindowJobs` puts one :class:`JobProgress` in the status bar).
"""

from __future__ import annotations

from PySide6.QtWidgets import QHBoxLayout, QLabel, QProgressBar, QPushButton, QWidget

from ui.worker import JobHandle

__all__ = ["JobProgress"]


class JobProgress(QWidget):
    """Follows one job at a time; hidden while it follows none."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.label = QLabel("", self)
        self.bar = QProgressBar(self)
        self.bar.setFixedWidth(160)
        self.bar.setTextVisible(True)
        self.cancel_button = QPushButton("Cancel", self)
        self.cancel_button.setToolTip("Stop the job; what it finished so far is kept")
        self.cancel_button.clicked.connect(self._cancel)
        lay = QHBoxLayout(self)
        lay.setContentsMargins(0, 0, 0, 0)
        for w in (self.label, self.bar, self.cancel_button):
            lay.addWidget(w)
        self._job: JobHandle | None = None
        self._title = ""
        self.hide()

    @property
    def job(self) -> JobHandle | None:
        """The job followed now."""
        return self._job

    def follow(self, job: JobHandle, title: str) -> None:
        """Show ``job``'s progress until it ends (busy until it reports a total)."""
        self.release()
        self._job, self._title = job, title
        self.label.setText(title + "\u2026")
        self.bar.setRange(0, 0)
        self.cancel_button.setEnabled(True)
        job.progressed.connect(self._progress)
        job.ended.connect(self.release)
        self.show()

    def release(self) -> None:
        """Stop following (the job ended, or the project closed) and hide."""
        job, self._job = self._job, None
        if job is not None:
            for sig, slot in ((job.progressed, self._progress), (job.ended, self.release)):
                try:
                    sig.disconnect(slot)
                except (RuntimeError, TypeError):
                    pass
        self.hide()

    def _progress(self, done: int, total: int, message: str) -> None:
        self.label.setText(f"{self._title}: {message}" if message else self._title)
        if total > 0:
            self.bar.setRange(0, total)
            self.bar.setValue(min(done, total))
            self.bar.setFormat(f"{min(done, total):,} / {total:,}")

    def _cancel(self) -> None:
        if self._job is not None:
            self._job.cancel()
            self.cancel_button.setEnabled(False)
            self.label.setText(f"{self._title}: cancelling\u2026")
