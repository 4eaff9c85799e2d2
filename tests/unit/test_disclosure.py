"""Disclosure check: every seeded identifier is found, as its kind; ordinary briefing text gives nothing.

Every name, number, address and reference here is fictional: phone numbers are from
Ofcom's ranges kept for drama, NHS numbers are made up with valid check digits.
"""

import random

import pytest

from audit_tools.privacy import KIND_LABELS, NAME_STOP_WORDS, Hit, check_text, format_hit, nhs_number_is_valid

CASE_REFERENCES = ["NA-2026-014", "NA-2026-015", "P-3f2a9c1b7d0e", "C-7F3A9K", "LSCP/24/117", "EH 2291", "T-01"]
NAMES = [
    "Priya Shah",
    "Tomasz Nowak",
    "Siobhan O'Neill",
    "Grace Hall",
    "Mark Young",
    "Anne-Marie Okafor",
    "Dylan Hughes",
    "Chidi Eze",
    "Zoë Brennan",
    "Test coordinator",
    "Demo Auditor Camhs",
]


def made_up_nhs_numbers(count: int, seed: int = 20260314) -> list[str]:
    """Valid NHS numbers from a seeded generator, written plain, spaced 3-3-4 and dashed in turn."""
    rng, numbers = random.Random(seed), []
    while len(numbers) < count:
        first_nine = str(rng.randint(400_000_000, 699_999_999))
        check = (11 - sum(int(d) * w for d, w in zip(first_nine, range(10, 1, -1), strict=False)) % 11) % 11
        if check == 10:
            continue
        digits = first_nine + str(check)
        layout = ("{} {} {}", "{}{}{}", "{}-{}-{}")[len(numbers) % 3]
        numbers.append(layout.format(digits[:3], digits[3:6], digits[6:]))
    return numbers


NHS_SENTENCES = [
    "The birth record shows NHS number {} against the younger sibling.",
    "Health visiting notes were filed under {} rather than the child's own record.",
    "The GP letter quoted {} in the subject line.",
    "A referral form carried the number {} in the free-text box.",
    "The school nurse recorded {} when the family moved practice.",
    "Maternity services wrote {} on the discharge summary.",
    "Hospital A&E used {} for the attendance in the winter.",
    "The dental service flagged {} as not brought to appointments.",
    "Minutes of the core group listed {} beside the agency actions.",
    "The 0-19 service added {} to the transfer-in letter.",
    "Paediatric notes include {} on every page header.",
    "CAMHS triage used {} when the referral was declined.",
    "An email chain repeated {} four times.",
    "The chronology entry for week 12 shows {} in brackets.",
    "The health assessment for the looked-after child cites {} twice.",
    "The pharmacy record linked {} to the prescription.",
]

SEEDED = (
    [
        ("case_reference", ref, sentence)
        for ref, sentence in [
            ("NA-2026-014", "Case {} was closed to early help before the strategy meeting."),
            ("na-2026-015", "In {} the school nurse escalated twice without a response."),
            ("P-3f2a9c1b7d0e", "The GP for {} was not invited to the review conference."),
            ("p-3F2A9C1B7D0E", "Practitioners in {} described a child who was rarely seen."),
            ("C-7F3A9K", "The chronology for {} was the most complete of the sample."),
            ("LSCP/24/117", "Drift set in after the transfer in {} and lasted a year."),
            ("EH 2291", "Reference {} shows good multi-agency working at the front door."),
            ("eh\t2291", "Auditors noted ({}) that the plan lacked timescales."),
            ("T-01", "{}: the health visitor saw the home conditions first."),
            ("NA-2026-014", "Unlike the others, {}, had a named lead professional throughout."),
        ]
    ]
    + [
        ("name", name, sentence)
        for name, sentence in [
            ("Priya Shah", "{} chaired the panel and summarised the themes."),
            ("Shah", "Ms {} noted that supervision was not recorded."),
            ("priya", "The notes from {} were detailed and timely."),
            ("Tomasz Nowak", "The allocated worker, {}, left in the second month."),
            ("Nowak", "{}'s case recording was praised by the panel."),
            ("Siobhan O'Neill", "Feedback from {} shaped the recommendations."),
            ("O’Neill", "As {} observed, the threshold was applied inconsistently."),
            ("Siobhan", "{} asked for the learning to reach schools first."),
            ("Grace Hall", "{} presented the police perspective."),
            ("Mark Young", "The briefing was reviewed by {} before sign-off."),
            ("Anne-Marie Okafor", "{} audited the education returns."),
            ("Anne-Marie", "Thanks go to {} for the chronology work."),
            ("Okafor", "Dr {} led the health returns."),
            ("HUGHES", "THE SUMMARY WAS WRITTEN BY {} FOR THE BOARD."),
            ("Dylan", "{} raised the question of cumulative harm."),
            ("Eze", "Mr {} joined the panel from the probation service."),
            ("Zoë Brennan", "{} described the impact on the children's health."),
            ("Brennan", "The action log names {} as the owner of action 3."),
        ]
    ]
    + [
        ("date_of_birth", when, sentence)
        for when, sentence in [
            ("12/03/2019", "The child was born on {} at the local hospital."),
            ("1/3/2019", "A contact dated {} was not followed up."),
            ("03/12/2018", "Records show the date {} on the referral form."),
            ("12-03-2019", "The plan started on {} after the conference."),
            ("12.03.19", "Form completed {} by the duty worker."),
            ("12.03.2019", "Date of the visit: {}."),
            ("12/03/19", "The last dental check was on {} according to the notes."),
            ("7/11/17", "The first referral arrived on {} from the nursery."),
            ("12 March 2019", "The second child was born on {} in another area."),
            ("12th March 2019", "A home visit on {} found no food in the house."),
            ("1st Feb 2018", "The case was stepped down on {} without a review."),
            ("3 Sept 2017", "Registration with the GP lapsed on {} according to the practice."),
            ("22nd of June 2016", "The older sibling was born on the {} in hospital."),
            ("23 Dec. 2020", "An emergency admission on {} was not shared."),
            ("5 may 2015", "The youngest was registered on {} at the register office."),
            ("12-Mar-2019", "The health record shows DOB {} in the header."),
            ("09-Jan-18", "The extract printed {} beside each attendance."),
            ("March 12, 2019", "The mother reported the birth on {} to the midwife."),
            ("March 12 2019", "The nursery place began on {} and ended early."),
            ("Mar 12th, 2019", "The letter of {} was never answered."),
            ("February 29, 2016", "A leap-day birthday ({}) appears in the chronology."),
            ("2019-03-12", "The system export shows {} in the date field."),
            ("2018/11/05", "The database record of {} was duplicated."),
            ("30/04/2021", "The police log of {} describes the home as cold."),
        ]
    ]
    + [
        ("postcode", code, sentence)
        for code, sentence in [
            ("SW1A 1AA", "The family moved to {} during the period."),
            ("EC1A 1BB", "The previous address in {} was not checked."),
            ("W1A 0AX", "Post was returned from {} marked not known."),
            ("M1 1AE", "The child attended a nursery near {} for a term."),
            ("B33 8TH", "The housing provider listed {} as the tenancy."),
            ("CR2 6XH", "A neighbour in {} raised concerns twice."),
            ("DN55 1PT", "The temporary accommodation at {} had no heating."),
            ("GIR 0AA", "A letter addressed to {} reached the wrong team."),
            ("ls1 4dy", "The referrer gave {} as the grandmother's home."),
            ("M11AE", "The form gave the postcode {} without a house number."),
            ("EC1A1BB", "Transfer papers listed {} as the forwarding address."),
            ("sw1a1aa", "The school's records still showed {} in the spring."),
            ("CF10 1EP", "The family lived in {} before the move north."),
            ("G2 1DY", "A sibling's school is near {} in another authority."),
            ("BT1 5GS", "The father's address was {} during the plan."),
            ("NE1 4LP", "The child was seen at a clinic at {} once."),
        ]
    ]
    + [
        ("nhs_number", number, sentence)
        for number, sentence in zip(
            ["943 476 5919", "4010232137"] + made_up_nhs_numbers(14), NHS_SENTENCES, strict=False
        )
    ]
    + [
        ("phone", number, sentence)
        for number, sentence in [
            ("020 7946 0958", "The mother could be reached on {} during the day."),
            ("020-7946-0123", "The referral gave {} as the father's number."),
            ("02079460456", "A neighbour called from {} to raise concerns."),
            ("0113 496 0789", "The grandparent's landline, {}, was not tried."),
            ("0161 496 0000", "The family's number {} was out of service."),
            ("0161-496-0321", "Messages were left on {} without reply."),
            ("(0161) 496 0555", "The aunt, on {}, offered to help."),
            ("(020) 7946 0999", "The hostel's number {} was on the plan."),
            ("01632 960001", "The school rang {} on the first day of absence."),
            ("(01632) 960 123", "A text was sent to {} before the visit."),
            ("028 9649 6789", "The family's Belfast number, {}, appears in the notes."),
            ("029 2018 0123", "The Cardiff contact was {} for the paternal family."),
            ("07700 900123", "The mother's mobile {} changed four times."),
            ("07700-900-456", "The father's mobile, {}, was shared at the conference."),
            ("07700900789", "A text from {} cancelled the appointment."),
            ("+44 7700 900321", "The referral gave {} as the only contact."),
            ("+447700900654", "Calls to {} went to voicemail."),
            ("+44 (0)20 7946 0987", "The out-of-area worker gave {} for the family."),
            ("0044 161 496 0111", "A relative abroad rang in from {} about the children."),
            ("0808 157 0192", "The family were given {} for advice."),
            ("03069 990123", "The housing line {} took the mother's call."),
            ("+44 20 7946 0011", "Contact details on the form: {}."),
        ]
    ]
    + [
        ("email", address, sentence)
        for address, sentence in [
            ("priya.shah@northfield.example.org", "Questions about the audit went to {} last term."),
            ("duty.team@csc.example.gov.uk", "The referral was e-mailed to {} at night."),
            ("j_nowak+audit@example.com", "Returns were sent to {} in error."),
            ("SAFEGUARDING@EXAMPLE.NHS.UK", "The GP wrote to {} about the missed appointments."),
            ("mum1987@example.net", "The mother used {} to contact the school."),
            ("headteacher@st-anne-primary.example.sch.uk", "The school's concern came from {} in the autumn."),
            ("a.b-c@example.co.uk", "A reply came from {} after a week."),
            ("gp.surgery42@nhs.example", "Letters from {} were not copied to the school."),
            ("firstname.lastname@police.example.uk", "The officer's address {} appears in the minutes."),
            ("x@example.io", "An anonymous report came from {} with photographs."),
            ("family.support.hub@council.example.gov.uk", "Requests for help went to {} and waited."),
            ("kinship-carer@example.org", "The grandmother wrote from {} about the arrangements."),
        ]
    ]
)

ORDINARY = [
    "The audit looked at 12 children aged 1½ to 8 years on plans for neglect.",
    "A 7-year-old had been on a plan for 14 months before the step-down.",
    "Three children had been on a plan for 9 months or more.",
    "Most referrals in 2026 came from schools and health visitors.",
    "The audit covers the year 2025/26 and compares it with 2018-19.",
    "Strategy discussions under Children Act 1989 section 47 were held promptly.",
    "Section 17 assessments rarely used a structured neglect tool.",
    "Working Together to Safeguard Children 2023 sets out the expectations on agencies.",
    "In 67% of cases the child's lived experience was clearly recorded.",
    "Fewer than 6 cases had a written contingency plan.",
    "The panel met in March 2026 to agree the findings.",
    "Core groups usually started at 10:30 and lasted an hour.",
    "The tool is now at version 2.10.15 after the spring changes.",
    "The family support grant of £1,500 was spent on beds and bedding.",
    "Young people told us that adults did not always listen.",
    "Early help was offered in 8 of the 12 cases.",
    "Social care and health will share the learning with their teams.",
    "Practitioners may not recognise the cumulative impact of neglect.",
    "Some families were referred again within 6 months.",
    "The reference 1234567890 on the old spreadsheet is not an NHS number.",
    "A mistyped value, 943 476 5918, failed the check digit and was discarded.",
    "Attendance fell below 90% for half of the children.",
    "Supervision records were seen for 10 of 12 workers.",
    "The Graded Care Profile 2 was used in only two cases.",
    "Older siblings often took on caring roles at home.",
    "The panel met on 12 March to agree the recommendations.",
    "Between 2019 and 2023 the number of plans for neglect doubled.",
    "The health visitor saw the baby at 6 to 8 weeks as expected.",
    "Dental decay was noted in 5 children under 5.",
    "A third of children had missed two or more health appointments.",
    "Key stage 2 results were not discussed in any plan.",
    "Children in Year 6 were more likely to be late to school.",
    "There were 1,024 contacts to the front door in the quarter.",
    "The average caseload was 18 children per worker.",
    "Average time on a plan was 11.5 months.",
    "Ratios of 1:3 were used in the nursery for the youngest.",
    "Visits happened 2 to 3 times a week during the crisis period.",
    "The conference chair recorded reasons for the decision in 9 cases.",
    "Housing officers attended 3 of 14 core groups.",
    "Fathers were invited to only 4 of 12 conferences.",
    "The police attended every strategy discussion in the sample.",
    "GPs submitted reports to 40% of conferences.",
    "The school nurse service covers children aged 5 to 19.",
    "The 0-19 service offered five universal contacts.",
    "Neglect was the primary category for 58% of plans in Q4.",
    "The threshold document was last revised in 2024.",
    "Keeping Children Safe in Education 2025 applies to every school.",
    "The Children Act 2004 section 11 audit gave a mixed picture.",
    "The partnership agreed three priorities for 2026-27.",
    "The learning event will run from 09:30 to 12:30.",
    "Two thirds of the children were under 5.",
    "One child in four had an unmet health need.",
    "Budget pressures of £250,000 affected the early help offer.",
    "The escalation policy was used in 2 cases out of 12.",
    "Ten returns were submitted late, by up to 21 days.",
    "The assessment took 45 working days on average.",
    "The audit tool had 36 questions in 7 sections.",
    "Scores ranged from 1 (inadequate) to 4 (outstanding).",
    "The mean score was 2.4 and the median was 2.",
    "Families waited 6 weeks for a parenting course.",
    "Mark each case as good, requires improvement or inadequate.",
    "We hope the briefing will help teams talk about neglect.",
    "With grace and patience the chair kept the focus on the child.",
    "The town hall hosted the learning event.",
    "A young carer assessment was offered in one case only.",
    "The care plan did not mention the child's diet.",
    "Practitioners will see a summary of the findings in June.",
    "The report will go to the board in May.",
    "Rose-tinted optimism led to cases closing too early.",
    "The test coordinates of the sampling were recorded for audit.",
    "Auditors from CAMHS, schools and the police took part.",
    "The coordinator sent reminders for outstanding returns.",
    "Each auditor completed returns for their own agency only.",
    "The demo data shows how the workbench works.",
    "Contact the partnership team via the website for copies.",
    "The sampling used seed 4821 and stratified by locality.",
    "Children on plans lasting 18-24 months were over-represented.",
    "The 3rd review conference was often the first one fathers attended.",
    "About 1 in 3 children had moved school at least once.",
    "Call 999 in an emergency or 101 for non-emergencies.",
    "The LSCP website is at www.example.org/neglect for this briefing.",
    "Follow @LSCP_Northfield for updates on learning.",
    "Cases were drawn from the M62 corridor and the coast.",
    "Localities such as LS1 and B12 are not named in the report.",
    "The audit window ran from April 2025 to March 2026.",
    "Referrals peaked in September 2025 at the start of term.",
    "The 2nd and 3rd quartiles showed similar patterns.",
    "About 24/7 support was not available to any family.",
    "Only 3/4 of the plans had measurable outcomes.",
    "Case recording improved by 15 percentage points since 2022.",
    "Parents' own experience of care was noted in 4 cases.",
    "Domestic abuse featured alongside neglect in 7 of 12 cases.",
    "Parental mental health was a factor in most families.",
    "The average age at the start of the plan was 4.2 years.",
    "Babies under 12 months made up a quarter of the sample.",
    "The nursery reported concerns 5 times before a referral.",
    "Health needs were unmet for 6 of the 8 school-age children.",
    "A 16-year-old had not seen a GP for 3 years.",
    "One child was 2 years and 10 months old when the plan began.",
    "The standard of the home was described as poor in 10 cases.",
    "The audit period covered 2025-2026 in full.",
    "Agencies submitted 44 returns in total, 2 with no involvement.",
    "Decisions to step down were not explained to families in 5 cases.",
    "Reviews were held within 3 months in 11 of 12 cases.",
    "The learning briefing has 4 pages and 2 charts.",
    "Please share this briefing with colleagues by 31 March.",
    "Findings were rated at level 2 or 3 on the threshold scale.",
    "Lessons from the 2019 review have not all been embedded.",
    "The numbers in brackets (n=12) are cases, not children.",
    "Section 20 accommodation was used briefly in one case.",
    "The room booked was 2.04 on the second floor.",
]


def test_the_corpora_are_large_distinct_and_cover_every_kind():
    assert len(SEEDED) >= 100 and len(ORDINARY) >= 100
    assert {kind for kind, _, _ in SEEDED} == set(KIND_LABELS)
    assert len({sentence for _, _, sentence in SEEDED}) == len(SEEDED)
    assert len(set(ORDINARY)) == len(ORDINARY)
    for kind, identifier, sentence in SEEDED:
        assert sentence.count("{}") == 1 and identifier not in sentence, (kind, identifier)


@pytest.mark.parametrize("kind, identifier, sentence", SEEDED, ids=[f"{k}:{i}" for k, i, _ in SEEDED])
def test_each_seeded_identifier_is_found_as_its_kind(kind, identifier, sentence):
    text = sentence.format(identifier)
    [hit] = check_text(text, case_references=CASE_REFERENCES, names=NAMES)
    assert (hit.kind, hit.text) == (kind, identifier)
    assert (hit.start, hit.end) == (sentence.index("{}"), sentence.index("{}") + len(identifier))


def test_every_seeded_identifier_is_found_in_one_document_at_its_line_and_column():
    text = "\n".join(sentence.format(identifier) for _, identifier, sentence in SEEDED)
    hits = check_text(text, case_references=CASE_REFERENCES, names=NAMES)
    expected = [
        (line, sentence.index("{}") + 1, kind, identifier)
        for line, (kind, identifier, sentence) in enumerate(SEEDED, start=1)
    ]
    assert [(h.line, h.column, h.kind, h.text) for h in hits] == expected
    assert all(text[h.start : h.end] == h.text for h in hits)


@pytest.mark.parametrize("sentence", ORDINARY)
def test_an_ordinary_briefing_sentence_gives_no_hits(sentence):
    assert check_text(sentence, case_references=CASE_REFERENCES, names=NAMES) == []


def test_the_ordinary_sentences_as_one_briefing_give_no_hits():
    assert check_text("\n".join(ORDINARY), case_references=CASE_REFERENCES, names=NAMES) == []


# --------------------------------------------------------------------------- NHS numbers


@pytest.mark.parametrize(
    "number", ["9434765919", "943 476 5919", "943-476-5919", "4010232137", "401 023 2137", "4000000020", "0123456789"]
)
def test_valid_nhs_numbers(number):
    assert nhs_number_is_valid(number)


@pytest.mark.parametrize("valid", ["9434765919", "4010232137"])
def test_changing_any_one_digit_makes_an_nhs_number_invalid(valid):
    for position in range(10):
        for digit in "0123456789":
            if digit != valid[position]:
                assert not nhs_number_is_valid(valid[:position] + digit + valid[position + 1 :])


@pytest.mark.parametrize(
    "number",
    [
        "9434765918",
        "1234567890",
        "4000000080",
        "943476591",
        "94347659190",
        "943 476 591 9x",
        "",
        "abcdefghij",
        "٩٤٣٤٧٦٥٩١٩",
    ],
)
def test_invalid_nhs_numbers(number):
    assert not nhs_number_is_valid(number)


def test_no_last_digit_completes_a_number_whose_check_would_be_ten():
    assert not any(nhs_number_is_valid("400000008" + d) for d in "0123456789")


def test_a_number_with_a_bad_check_digit_is_not_reported():
    assert check_text("NHS number 943 476 5918 and 9434765918 were typed wrongly.") == []


# --------------------------------------------------------------------------- overlaps


def test_an_nhs_number_that_is_also_a_phone_number_is_reported_once_as_an_nhs_number():
    [hit] = check_text("Health record 012 345 6789 was shared.")
    assert (hit.kind, hit.text) == ("nhs_number", "012 345 6789")
    # With a bad check digit the same shape is still a possible phone number.
    [hit] = check_text("Health record 012 345 6788 was shared.")
    assert (hit.kind, hit.text) == ("phone", "012 345 6788")


def test_a_name_inside_an_e_mail_address_is_reported_once_as_the_address():
    hits = check_text("Write to priya.shah@example.org or to Priya.", names=["Priya Shah"])
    assert [(h.kind, h.text) for h in hits] == [("email", "priya.shah@example.org"), ("name", "Priya")]


def test_a_full_name_is_one_hit_not_one_per_part():
    hits = check_text("Priya Shah and Tomasz Nowak; later Shah alone.", names=NAMES)
    assert [h.text for h in hits] == ["Priya Shah", "Tomasz Nowak", "Shah"]


def test_a_name_broken_over_two_lines_is_found_and_escaped_when_printed():
    [hit] = check_text("Thanks to\nPriya\nShah.", names=["Priya Shah"])
    assert (hit.text, hit.line, hit.column) == ("Priya\nShah", 2, 1)
    assert format_hit(hit) == '2:1 name "Priya\\nShah"'


def test_stop_listed_parts_are_found_only_within_the_full_name():
    assert {"grace", "hall", "mark", "young", "test", "coordinator"} <= NAME_STOP_WORDS
    text = "With grace, the hall was ready; Grace Hall and Mark Young spoke."
    assert [h.text for h in check_text(text, names=NAMES)] == ["Grace Hall", "Mark Young"]


def test_a_display_name_that_is_an_e_mail_address_adds_no_words():
    assert check_text("An example of good practice.", names=["priya.shah@example.org"]) == []
    [hit] = check_text("Sent by priya.shah@example.org.", names=["priya.shah@example.org"])
    assert (hit.kind, hit.text) == ("email", "priya.shah@example.org")


def test_case_references_are_whole_words():
    text = "T-012, XT-01 and T-01b are other things; T-01 is the case."
    [hit] = check_text(text, case_references=["T-01"])
    assert (hit.text, hit.column) == ("T-01", text.index("T-01 is") + 1)


def test_names_and_references_must_be_collections():
    with pytest.raises(TypeError):
        check_text("text", names="Priya Shah")
    with pytest.raises(TypeError):
        check_text("text", case_references="NA-1")


@pytest.mark.parametrize(
    "text",
    [
        "March 2026",
        "in 2019",
        "2018-19",
        "6 months",
        "aged 12",
        "12 March",
        "31/02/2019",
        "13/13/2019",
        "2019-13-01",
        "2.10.15",
        "M62",
        "SW1A",
        "0161 496",
        "07700 90012",
        "+44 7700 90012",
        "020 7946 095",
        "+44 7700 9001234 5",
        "01234",
        "support@",
        "@example.org",
    ],
)
def test_near_misses_are_not_hits(text):
    assert check_text(f"Noted: {text} here.") == []


# --------------------------------------------------------------------------- hits and their printing


def test_a_hit_has_line_column_offsets_and_context():
    text = (
        "The first line of the briefing.\n"
        "The child's NHS number 943 476 5919 was in the minutes of the meeting held that week."
    )
    [hit] = check_text(text)
    assert (hit.line, hit.column, hit.start, hit.end) == (2, 24, 55, 67)
    assert hit.label == "NHS number"
    assert hit.context == (
        "…of the briefing. The child's NHS number 943 476 5919 was in the minutes of the meeting held…"
    )
    assert len(hit.context) < len(hit.text) + 2 * 40 + 3


def test_format_hit_is_line_column_kind_and_quoted_text():
    [hit] = check_text("Call 07700 900123 today.")
    assert format_hit(hit) == '1:6 phone "07700 900123"'
    odd = Hit("name", 'Priya "P" \\ Shah\r\n', 3, 7, 0, 0, "")
    assert format_hit(odd) == '3:7 name "Priya \\"P\\" \\\\ Shah\\r\\n"'


def test_every_kind_has_a_label_for_people():
    assert set(KIND_LABELS) == {"case_reference", "name", "date_of_birth", "postcode", "nhs_number", "phone", "email"}
    assert all(label and label[0].isupper() for label in KIND_LABELS.values())
