"""The shared exercise library and plan templates that `manage.py seed_plans` loads: plain
data, no logic. Doses follow common UK physiotherapy practice; the templates' descriptions say
where the structure comes from.
"""

from booking.models import Modality

# name: (body region, purpose, each side, sets, reps, hold seconds, load, instructions)
EXERCISES: dict[str, tuple] = {
    "Chin tuck": (
        "neck",
        "stability",
        False,
        3,
        10,
        5,
        "",
        "Sit or stand tall. Glide your chin straight back, making a double chin, without tipping "
        "your head down. Hold, then relax.",
    ),
    "Upper trapezius stretch": (
        "neck",
        "stretch",
        True,
        3,
        None,
        30,
        "",
        "Sit on your hand on the side to stretch. Tilt your ear towards the other shoulder until "
        "you feel a gentle stretch at the side of your neck.",
    ),
    "Levator scapulae stretch": (
        "neck",
        "stretch",
        True,
        3,
        None,
        30,
        "",
        "Turn your head 45 degrees away from the side to stretch and look down towards your "
        "armpit; use your hand to add a little pressure.",
    ),
    "Neck rotation": (
        "neck",
        "mobility",
        False,
        2,
        10,
        None,
        "",
        "Sit tall. Turn your head slowly to look over one shoulder, then the other, as far as is "
        "comfortable.",
    ),
    "Deep neck flexor hold": (
        "neck",
        "stability",
        False,
        1,
        10,
        10,
        "",
        "Lie on your back with your knees bent. Nod gently as if saying yes and lift your head a "
        "few millimetres. Hold, breathing normally.",
    ),
    "Scapular setting": (
        "shoulder",
        "stability",
        False,
        3,
        10,
        5,
        "",
        "Draw your shoulder blades gently back and down, without arching your back. Hold, then "
        "relax.",
    ),
    "Banded row": (
        "shoulder",
        "strength",
        False,
        3,
        12,
        None,
        "Medium resistance band",
        "Anchor the band at chest height. Pull your elbows back, squeezing your shoulder blades "
        "together, then return slowly.",
    ),
    "Wall angel": (
        "thoracic",
        "mobility",
        False,
        2,
        10,
        None,
        "",
        "Stand with your back against a wall, arms in a goalpost position. Slide your arms up and "
        "down, keeping contact with the wall.",
    ),
    "Cat-camel": (
        "lumbar",
        "mobility",
        False,
        2,
        10,
        None,
        "",
        "On hands and knees, slowly round your back up, then let it sag gently. Move within a "
        "comfortable range.",
    ),
    "Knee rolls": (
        "lumbar",
        "mobility",
        False,
        2,
        10,
        None,
        "",
        "Lie on your back with knees bent. Let both knees roll slowly to one side, then the "
        "other, keeping your shoulders on the floor.",
    ),
    "Bridge": (
        "hip",
        "strength",
        False,
        3,
        12,
        None,
        "Body weight",
        "Lie on your back with knees bent. Squeeze your buttocks and lift your hips until your "
        "body is in a straight line, then lower slowly.",
    ),
    "Bird dog": (
        "lumbar",
        "stability",
        True,
        3,
        8,
        5,
        "",
        "On hands and knees, reach one arm forward and the opposite leg back, keeping your back "
        "level. Hold, then swap.",
    ),
    "Dead bug": (
        "lumbar",
        "stability",
        True,
        3,
        8,
        None,
        "",
        "Lie on your back, arms up and knees bent at 90 degrees. Lower the opposite arm and leg "
        "slowly while keeping your lower back on the floor.",
    ),
    "Side plank": (
        "lumbar",
        "strength",
        True,
        3,
        None,
        20,
        "Body weight",
        "Lie on your side, propped on your elbow, knees bent. Lift your hips to make a straight "
        "line from head to knees.",
    ),
    "Hip hinge with dowel": (
        "hip",
        "strength",
        False,
        3,
        10,
        None,
        "Broomstick, then light weights",
        "Hold a broomstick along your spine. Push your hips back and lean forward from the hips, "
        "keeping contact at head, upper back and pelvis.",
    ),
    "Isometric calf raise": (
        "ankle_foot",
        "loading",
        True,
        5,
        None,
        45,
        "Body weight, then a loaded rucksack",
        "Rise up on to the ball of the foot halfway and hold, steady and strong. Pain up to 3 "
        "out of 10 is fine if it settles by the next morning.",
    ),
    "Heavy slow calf raise": (
        "ankle_foot",
        "loading",
        True,
        3,
        15,
        None,
        "Body weight, adding 5 kg as able",
        "On a step, rise up over three seconds and lower over three seconds. Every other day.",
    ),
    "Eccentric heel drop": (
        "ankle_foot",
        "loading",
        True,
        3,
        15,
        None,
        "Body weight",
        "Rise on both feet on a step, shift on to one foot and lower the heel slowly below the "
        "step. Knee straight, then bent.",
    ),
    "Pogo hops": (
        "ankle_foot",
        "conditioning",
        False,
        3,
        20,
        None,
        "",
        "Small, quick, springy hops on the balls of your feet, staying light and quiet.",
    ),
    "Isometric hamstring bridge": (
        "knee",
        "loading",
        True,
        3,
        None,
        30,
        "Body weight",
        "Lie on your back with one heel on a chair. Lift your hips and hold, feeling the back of "
        "the thigh working.",
    ),
    "Nordic hamstring curl": (
        "knee",
        "strength",
        False,
        3,
        5,
        None,
        "Partner or strap holds your ankles",
        "Kneel tall with your ankles held. Lower your body forward as slowly as you can, then "
        "push back up with your hands.",
    ),
    "Hamstring PNF contract-relax": (
        "knee",
        "stretch",
        True,
        3,
        3,
        30,
        "",
        "Leg up on a step or with a strap: push the heel down for 6 seconds at half effort, relax, "
        "then ease further into the stretch and hold.",
    ),
}

DN, MASSAGE, PNF, IASTM, REHAB = (
    Modality.DRY_NEEDLING,
    Modality.SPORTS_MASSAGE,
    Modality.PNF_STRETCHING,
    Modality.IASTM,
    Modality.EXERCISE_REHAB,
)

# Each template: name, condition, description, phases.
# Phase: (name, weeks, notes, [(modality, sessions, per week)], [(exercise, overrides)]).
TEMPLATES: list[tuple] = [
    (
        "Myofascial neck pain: needling, massage and exercise",
        "myofascial_pain",
        "Trigger-point dry needling and soft-tissue work to settle pain, then movement and "
        "deep neck flexor endurance. Needling sessions at least 48 hours apart; patients who "
        "avoid needles are offered sports massage (ischaemic compression) instead.",
        [
            (
                "Settle pain",
                2,
                "Aim: NPRS down by 2 points; full-range rotation without spasm.",
                [(DN, 2, 1), (MASSAGE, 2, 1)],
                [("Chin tuck", {}), ("Upper trapezius stretch", {"times_per_day": 2})],
            ),
            (
                "Restore movement",
                2,
                "Aim: pain-free rotation; PSFS up by 2 points.",
                [(DN, 1, 1), (PNF, 2, 1)],
                [("Neck rotation", {}), ("Levator scapulae stretch", {}), ("Wall angel", {})],
            ),
            (
                "Load and return",
                2,
                "Aim: NDI change of 10 points or more; back to full work.",
                [(REHAB, 2, 1)],
                [
                    ("Deep neck flexor hold", {}),
                    ("Banded row", {"days_per_week": 3}),
                    ("Scapular setting", {}),
                ],
            ),
        ],
    ),
    (
        "Low back pain: exercise-led with manual therapy (NICE NG59)",
        "low_back_pain",
        "NICE NG59 (2016) 1.2: offer exercise; consider manual therapy (soft tissue techniques "
        "such as massage) only as part of a package that includes exercise. Acupuncture is no "
        "longer recommended for low back pain, so this template has no needling. Session counts "
        "follow the earlier CG88 guide of up to 8 exercise sessions.",
        [
            (
                "Settle and move",
                2,
                "Reassure, keep active; aim: ODI down, walking tolerated.",
                [(REHAB, 2, 1), (MASSAGE, 1, 1)],
                [("Cat-camel", {}), ("Knee rolls", {})],
            ),
            (
                "Build capacity",
                3,
                "Aim: ODI change of 10 points or 30%.",
                [(REHAB, 3, 1), (MASSAGE, 1, 1)],
                [
                    ("Bridge", {"days_per_week": 4}),
                    ("Bird dog", {"days_per_week": 4}),
                    ("Dead bug", {"days_per_week": 4}),
                ],
            ),
            (
                "Return to activity",
                3,
                "Aim: back to usual activity; self-management plan.",
                [(REHAB, 3, 1)],
                [
                    ("Hip hinge with dowel", {"days_per_week": 3}),
                    ("Side plank", {"days_per_week": 3}),
                ],
            ),
        ],
    ),
    (
        "Tendinopathy loading programme (Achilles)",
        "tendinopathy",
        "Progressive tendon loading: isometrics for pain relief, heavy slow resistance for "
        "capacity, then energy storage before return to running. Pain during loading up to 3/10 "
        "is acceptable if it settles by the next morning.",
        [
            (
                "Isometrics",
                2,
                "Aim: morning stiffness easing; pain on loading at most 3/10.",
                [(REHAB, 2, 1)],
                [("Isometric calf raise", {"times_per_day": 2})],
            ),
            (
                "Heavy slow resistance",
                6,
                "Aim: 25 single-leg heel raises each side.",
                [(REHAB, 3, 1), (IASTM, 2, 1)],
                [
                    ("Heavy slow calf raise", {"days_per_week": 3}),
                    ("Eccentric heel drop", {"days_per_week": 3}),
                ],
            ),
            (
                "Energy storage and return",
                4,
                "Aim: hopping and running without a flare.",
                [(REHAB, 2, 1)],
                [
                    ("Pogo hops", {"days_per_week": 3}),
                    ("Heavy slow calf raise", {"days_per_week": 2}),
                ],
            ),
        ],
    ),
    (
        "Hamstring strain: return to sport",
        "muscle_strain",
        "Early loading after a hamstring strain, PNF to restore length, then eccentric strength "
        "(Nordics) before sport-specific running.",
        [
            (
                "Protect and load",
                2,
                "Aim: pain-free walking and isometric hold.",
                [(MASSAGE, 1, 1), (REHAB, 2, 1)],
                [("Isometric hamstring bridge", {"times_per_day": 2})],
            ),
            (
                "Restore length and strength",
                3,
                "Aim: straight-leg raise equal to the other side.",
                [(PNF, 2, 1), (REHAB, 3, 1)],
                [
                    ("Hamstring PNF contract-relax", {"days_per_week": 4}),
                    ("Bridge", {"days_per_week": 4}),
                ],
            ),
            (
                "Return to sport",
                2,
                "Aim: full-speed running; Nordic strength equal both sides.",
                [(REHAB, 2, 1)],
                [("Nordic hamstring curl", {"days_per_week": 2})],
            ),
        ],
    ),
]
