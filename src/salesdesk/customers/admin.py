from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from .models import Contact, Customer, FollowUp, Lead, Mailing


@admin.register(Customer)
class CustomerAdmin(SimpleHistoryAdmin):
    list_display = ("code", "name", "tier", "status", "owner", "completeness")
    list_filter = ("tier", "status", "type", "province")
    search_fields = ("code", "name", "name_pinyin", "credit_code")
    raw_id_fields = ("owner",)


admin.site.register(Contact, SimpleHistoryAdmin)
admin.site.register(Lead, SimpleHistoryAdmin)
admin.site.register(Mailing, SimpleHistoryAdmin)
admin.site.register(FollowUp, SimpleHistoryAdmin)
