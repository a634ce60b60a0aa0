"""The canned responses triagers reach for most often, in our own words. Admins edit or add to the list."""

from django.db import migrations

RESPONSES = [
    ("Too few examples",
     "Thank you for this contribution. A skill needs at least five seed examples so the model can learn the "
     "pattern rather than memorise one case. Please add more examples that show the task in different "
     "situations, then submit a new revision."),
    ("Knowledge filed as a skill",
     "Thank you for this contribution. It teaches facts rather than a way of doing something, so it belongs "
     "under `knowledge/` with the source document it comes from, not under `compositional_skills/`. "
     "Please start a knowledge contribution with the same content and close this one."),
    ("Jokes and poems are not accepted",
     "Thank you for this contribution. Jokes, puns and poems depend on taste and wordplay that the generated "
     "training data cannot check, so we do not accept them as skills at the moment."),
    ("Maths topics are not accepted",
     "Thank you for this contribution. Arithmetic and other mathematics need exact answers that the "
     "synthetic data pipeline cannot verify reliably, so we do not accept maths skills at the moment."),
    ("Coding topics are not accepted",
     "Thank you for this contribution. Writing or explaining code needs answers that can be run and tested, "
     "which the generation pipeline does not do, so we do not accept coding skills at the moment."),
    ("Missing or insufficient attribution",
     "Thank you for this contribution. We need to know where the content comes from: please fill in the "
     "title of the work, a link to it, its revision, its licence and the names of its creators. If you "
     "wrote it yourself, say so and name yourself as the creator."),
]


def add_responses(apps, schema_editor):
    CannedResponse = apps.get_model("taxonomy_app", "CannedResponse")
    for title, body in RESPONSES:
        CannedResponse.objects.get_or_create(title=title, defaults={"body": body})


def remove_responses(apps, schema_editor):
    CannedResponse = apps.get_model("taxonomy_app", "CannedResponse")
    CannedResponse.objects.filter(title__in=[title for title, _ in RESPONSES]).delete()


class Migration(migrations.Migration):
    dependencies = [("taxonomy_app", "0007_review_workspace")]
    operations = [migrations.RunPython(add_responses, remove_responses)]
