from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('clienteling', '0010_stores_are_platform_locations'),
        ('inventory', '0005_location_moved_to_platform'),
        ('omniportal', '0002_location_is_the_platforms'),
        ('orders', '0007_stores_are_platform_locations'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AddIndex(
            model_name='order',
            index=models.Index(condition=models.Q(('customer__isnull', True), models.Q(('customer_external_id', ''), _negated=True)), fields=['customer_external_id'], name='order_unlinked_customer'),
        ),
        migrations.AddIndex(
            model_name='orderline',
            index=models.Index(condition=models.Q(('product__isnull', True)), fields=['sku'], name='orderline_unlinked_sku'),
        ),
    ]
