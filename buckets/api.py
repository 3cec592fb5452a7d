"""DRF: bucket representation and comments. Serializers validate and shape; services decide.

The round and bucket endpoints that show money (totals, my allocation) are in
allocations/api.py, which builds on the serializers here."""

from django.shortcuts import get_object_or_404
from drf_spectacular.utils import extend_schema, extend_schema_field
from rest_framework import serializers, status
from rest_framework.generics import GenericAPIView
from rest_framework.response import Response

from buckets import selectors, services
from buckets.models import Bucket, BudgetItem, Comment
from cobudget.markdown import render_markdown
from groups.selectors import membership_of, person_label, sees_member_emails


class BudgetItemSerializer(serializers.ModelSerializer):
    class Meta:
        model = BudgetItem
        fields = ["description", "min_amount", "max_amount"]


class BucketSerializer(serializers.ModelSerializer):
    coleads = serializers.SerializerMethodField()
    tags = serializers.SerializerMethodField()
    budget_items = BudgetItemSerializer(many=True, read_only=True)
    description_html = serializers.SerializerMethodField()
    created_by = serializers.SerializerMethodField()
    # funded − paid (0 before funding; API.md "Buckets in a permanent round").
    balance = serializers.DecimalField(max_digits=12, decimal_places=2, read_only=True)

    class Meta:
        model = Bucket
        fields = [
            "id", "round", "title", "summary", "description", "description_html", "status", "coleads",
            "tags", "budget_items", "min_goal", "max_goal", "total", "contributors_count",
            "merged_into", "created_by", "created_at", "published_at",
            "funded_at", "funded_amount", "paid_amount", "balance", "completed_at", "cancelled_at",
        ]

    def _label(self, bucket, user) -> str:
        """`coleads` and `created_by` are e-mail addresses for admins, accountants, the person
        themself, or everyone when the group shows member e-mails (Group.show_member_emails);
        other members read the person's display name instead. Decided once per response."""
        viewer = self.context["request"].user
        if "sees_emails" not in self.context:
            group = bucket.round.group
            self.context["sees_emails"] = sees_member_emails(membership_of(viewer, group), group)
        return person_label(user, viewer=viewer, sees_emails=self.context["sees_emails"])

    def get_coleads(self, bucket) -> list[str]:
        """The co-leads: e-mails or display names, see _label."""
        return [self._label(bucket, user) for user in bucket.coleads.all()]

    def get_tags(self, bucket) -> list[str]:
        return [tag.name for tag in bucket.tags.all()]

    def get_description_html(self, bucket) -> str:
        return str(render_markdown(bucket.description))

    def get_created_by(self, bucket) -> str | None:
        return self._label(bucket, bucket.created_by) if bucket.created_by_id else None


@extend_schema_field({"oneOf": [{"type": "string"}, {"type": "integer"}]})
class ColeadField(serializers.CharField):
    """A co-lead: an e-mail address, a member id (the `id` of the members list, a number), or
    the name of one member of the group."""

    def run_validation(self, data=serializers.empty):
        if isinstance(data, int) and not isinstance(data, bool):
            return data  # a member id: the service says whether it is one of the group's
        return super().run_validation(data)


class BucketWriteSerializer(serializers.Serializer):
    title = serializers.CharField(max_length=200)
    summary = serializers.CharField(max_length=500, required=False, allow_blank=True)
    description = serializers.CharField(required=False, allow_blank=True, max_length=50000)
    budget_items = serializers.ListField(child=serializers.DictField(), required=False, max_length=200)
    coleads = serializers.ListField(child=ColeadField(max_length=254), required=False, max_length=50,
                                    help_text="E-mail addresses, member ids or members' names.")
    tags = serializers.ListField(child=serializers.CharField(max_length=50), required=False, max_length=30)


class CommentSerializer(serializers.ModelSerializer):
    author = serializers.SerializerMethodField()
    body_html = serializers.SerializerMethodField()

    class Meta:
        model = Comment
        fields = ["id", "author", "body", "body_html", "created_at", "updated_at"]

    def get_author(self, comment) -> dict:
        return {"id": comment.author_id, "name": comment.author.display_name}

    def get_body_html(self, comment) -> str:
        return str(render_markdown(comment.body))


class CommentWriteSerializer(serializers.Serializer):
    body = serializers.CharField(max_length=10000)


class CommentList(GenericAPIView):
    serializer_class = CommentSerializer

    @extend_schema(responses=CommentSerializer(many=True))
    def get(self, request, pk):
        bucket, _membership = selectors.get_bucket_for(request.user, pk)
        page = self.paginate_queryset(selectors.comments_of(bucket))
        return self.get_paginated_response(CommentSerializer(page, many=True).data)

    @extend_schema(request=CommentWriteSerializer, responses={201: CommentSerializer})
    def post(self, request, pk):
        bucket, _membership = selectors.get_bucket_for(request.user, pk)
        data = CommentWriteSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        comment = services.add_comment(bucket=bucket, author=request.user, body=data.validated_data["body"])
        return Response(CommentSerializer(comment).data, status=status.HTTP_201_CREATED)


class CommentDetail(GenericAPIView):
    serializer_class = CommentSerializer

    def _get(self, request, pk, cid):
        bucket, _membership = selectors.get_bucket_for(request.user, pk)
        return get_object_or_404(Comment.objects.select_related("author"), bucket=bucket, pk=cid)

    def get(self, request, pk, cid):
        return Response(CommentSerializer(self._get(request, pk, cid)).data)

    @extend_schema(request=CommentWriteSerializer)
    def patch(self, request, pk, cid):
        comment = self._get(request, pk, cid)
        data = CommentWriteSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        comment = services.edit_comment(comment=comment, actor=request.user, body=data.validated_data["body"])
        return Response(CommentSerializer(comment).data)

    def delete(self, request, pk, cid):
        services.delete_comment(comment=self._get(request, pk, cid), actor=request.user)
        return Response(status=status.HTTP_204_NO_CONTENT)
