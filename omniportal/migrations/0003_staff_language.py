from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('omniportal', '0002_location_is_the_platforms'),
    ]

    operations = [
        migrations.AddField(
            model_name='staffprofile',
            name='language',
            field=models.CharField(blank=True, choices=[('en', 'English'), ('it', 'Italiano')], db_default='', default='', max_length=8, verbose_name='language'),
        ),
    ]
