from django.urls import path

from appraisal import views

app_name = "appraisal"

urlpatterns = [
    path("", views.ScorecardListView.as_view(), name="scorecard_list"),
    path("month/", views.MonthView.as_view(), name="month"),
    path("generate/", views.GenerateView.as_view(), name="generate"),
    path("scorecards/<int:pk>/", views.ScorecardDetailView.as_view(), name="scorecard_detail"),
    path("scorecards/<int:pk>/score/", views.ScorecardScoreView.as_view(),
         name="scorecard_score"),
    path("scorecards/<int:pk>/sign/", views.ScorecardSignView.as_view(), name="scorecard_sign"),
    path("scorecards/<int:pk>/refresh/", views.ScorecardRefreshView.as_view(),
         name="scorecard_refresh"),
    path("scorecards/<int:pk>/acknowledge/", views.ScorecardAcknowledgeView.as_view(),
         name="scorecard_acknowledge"),
    path("scorecards/<int:pk>/dispute/", views.ScorecardDisputeView.as_view(),
         name="scorecard_dispute"),
    path("scorecards/<int:pk>/decide/", views.ScorecardDecideView.as_view(),
         name="scorecard_decide"),
    path("scorecards/<int:pk>/scorecard.pdf", views.ScorecardPdfView.as_view(),
         name="scorecard_pdf"),
    path("year/", views.YearEndView.as_view(), name="year_end"),
    path("reviews/", views.ReviewListView.as_view(), name="review_list"),
    path("reviews/new/", views.ReviewCreateView.as_view(), name="review_add"),
    path("reviews/<int:pk>/", views.ReviewDetailView.as_view(), name="review_detail"),
    path("reviews/<int:pk>/calibrate/", views.ReviewCalibrateView.as_view(),
         name="review_calibrate"),
    path("reviews/<int:pk>/dispute/", views.ReviewDisputeView.as_view(), name="review_dispute"),
    path("reviews/<int:pk>/decide/", views.ReviewDecideView.as_view(), name="review_decide"),
    path("rewards/", views.RewardPenaltyListView.as_view(), name="rewardpenalty_list"),
    path("rewards/new/", views.RewardPenaltyCreateView.as_view(), name="rewardpenalty_add"),
    path("rewards/<int:pk>/", views.RewardPenaltyDetailView.as_view(),
         name="rewardpenalty_detail"),
    path("rewards/<int:pk>/record.pdf", views.RewardPenaltyPdfView.as_view(),
         name="rewardpenalty_pdf"),
    path("templates/", views.TemplateListView.as_view(), name="template_list"),
    path("templates/<int:pk>/", views.TemplateDetailView.as_view(), name="template_detail"),
    path("templates/<int:pk>/edit/", views.TemplateEditView.as_view(), name="template_edit"),
    path("templates/<int:pk>/copy/", views.TemplateCopyView.as_view(), name="template_copy"),
]
