from tenants.learning.models.catalogue import Course, Lesson
from tenants.learning.models.events import LearningEvent
from tenants.learning.models.exams import (
    Attempt,
    AttemptAnswer,
    AttemptState,
    Paper,
    PaperQuestion,
    Question,
    QuestionKind,
)
from tenants.learning.models.study import (
    LessonProgress,
    SessionState,
    StudyDay,
    StudyRejection,
    StudySession,
)

__all__ = [
    "Attempt",
    "AttemptAnswer",
    "AttemptState",
    "Course",
    "LearningEvent",
    "Lesson",
    "LessonProgress",
    "Paper",
    "PaperQuestion",
    "Question",
    "QuestionKind",
    "SessionState",
    "StudyDay",
    "StudyRejection",
    "StudySession",
]
