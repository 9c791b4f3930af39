from django.urls import path

from initiatives.views import review

app_name = "review"

# The officials' review (/instruction/). The thread and the history are shared with the
# association's own staff.
urlpatterns = [
    path("", review.queue, name="queue"),
    path("assigner/", review.bulk_assign, name="bulk_assign"),
    path("<int:pk>/", review.detail, name="detail"),
    path("<int:pk>/decision/", review.decide, name="decide"),
    path("<int:pk>/assigner/", review.assign, name="assign"),
    path("<int:pk>/messages/", review.comment, name="comment"),
    path("<int:pk>/historique/", review.history, name="history"),
]
