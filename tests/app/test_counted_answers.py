"""Each answer carries its return's audit and whether it counts; the database keeps the copies equal.

The analysis finds an audit's counted answers by those two columns alone, so they must follow the
return through every change of state, whichever way the change is written.
"""

import pytest
import sqlalchemy as sa

from audit_app.data.analysis import analysis_data
from audit_app.data.returns import accept_return, return_for_amendment
from audit_app.data.tools import definition_of
from audit_app.extensions import db
from audit_app.models import Answer, Return


def stored(ret):
    """(audit id, counted) of the return's answers, as the database holds them."""
    return set(db.session.execute(sa.select(Answer.audit_id, Answer.counted).where(Answer.return_id == ret.id)))


def test_answers_follow_their_return_through_submission_amendment_and_acceptance(factory):
    audit = factory.audit(state="open")
    coordinator = factory.user("coordinator")
    ret = factory.return_for(audit, "CSC")
    db.session.add(ret.answer(question_key="child_seen_alone", value="yes", score=2.0))
    db.session.commit()
    assert stored(ret) == {(audit.id, False)}
    ret.state = "submitted"
    db.session.commit()
    assert (ret.counted, stored(ret)) == (True, {(audit.id, True)})
    return_for_amendment(ret, "Add the date of the last visit.", coordinator)
    db.session.commit()
    assert stored(ret) == {(audit.id, False)}
    ret.state = "submitted"
    accept_return(ret, coordinator)
    db.session.commit()
    assert stored(ret) == {(audit.id, True)}


def test_an_answer_written_with_a_change_of_state_takes_the_new_state(factory):
    """The ORM copies the return's columns at the write, after the return's own UPDATE: never a stale copy."""
    audit = factory.audit(state="open")
    ret = factory.return_for(audit, "EH")
    db.session.add(ret.answer(question_key="overall_judgement", value="good"))
    ret.state = "submitted"  # after the answer was made, in the same flush
    db.session.commit()
    assert stored(ret) == {(audit.id, True)}
    assert analysis_data(audit, definition_of(audit.tool_version)).summary("overall_judgement").answered == 1


def test_a_copy_that_differs_from_its_return_is_refused(factory):
    audit = factory.audit(state="open")
    ret = factory.return_for(audit, "CSC")
    db.session.add(ret.answer(question_key="child_seen_alone", value="no", score=0.0))
    db.session.commit()
    with pytest.raises(sa.exc.IntegrityError):
        db.session.execute(sa.update(Answer).where(Answer.return_id == ret.id).values(counted=True))
    db.session.rollback()
    with pytest.raises(sa.exc.IntegrityError):  # a return's counted must follow its state
        db.session.execute(sa.update(Return).where(Return.id == ret.id).values(state="accepted"))
    db.session.rollback()
