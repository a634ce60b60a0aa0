from django.db import migrations, models


class Migration(migrations.Migration):
    initial = True
    dependencies = []

    operations = [
        migrations.CreateModel(
            name="LabwebPermission",
            fields=[("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID"))],
            options={
                "managed": False,
                "default_permissions": (),
                "permissions": [
                    ("contribute", "Can draft and submit contributions"),
                    ("triage", "Can triage, comment on and approve submissions"),
                    ("merge", "Can merge approved submissions into the taxonomy"),
                    ("manage_taxonomy", "Can import taxonomies and rebuild the index"),
                    ("run_builds", "Can start training builds and manage models"),
                    ("manage_teachers", "Can configure teacher models"),
                ],
            },
        ),
    ]
